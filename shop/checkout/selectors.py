"""Reads of the checkout's own rows."""

from __future__ import annotations

from shop.checkout.models import ShippingMethod


def shipping_method_active(code: str) -> ShippingMethod | None:
    """The active shipping method with this code (read on every checkout that names one)."""
    # The code is unique: no ordering to compile or sort.
    found = ShippingMethod.objects.filter(code=code, is_active=True).order_by()[:1]
    return next(iter(found), None)

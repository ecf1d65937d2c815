"""Reads of the checkout's own rows."""

from __future__ import annotations

import functools

from django.db.models import QuerySet

from shop.checkout.models import ShippingMethod


@functools.cache
def _active_methods() -> QuerySet[ShippingMethod]:
    """The active shipping methods in no order: built once per process, each lookup by
    code (unique, so one at most) filters a copy."""
    return ShippingMethod.objects.filter(is_active=True).order_by()


def shipping_method_active(code: str) -> ShippingMethod | None:
    """The active shipping method with this code (read on every checkout that names one)."""
    return next(iter(_active_methods().filter(code=code)[:1]), None)

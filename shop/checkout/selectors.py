"""Reads of the checkout's own rows."""

from __future__ import annotations

import functools

from django.db.models import CharField

from shop.checkout.models import ShippingMethod
from shop.core.kept_statements import KeptStatement, Slot


@functools.cache
def _active_method_statement() -> KeptStatement[ShippingMethod]:
    """The active shipping method with a code (unique, so one at most), in no order: kept
    compiled once per process and connection, since every checkout that names a method
    reads it (shop/core/kept_statements.py)."""
    methods = ShippingMethod.objects.filter(is_active=True, code=Slot("code", CharField()))
    return KeptStatement(methods.order_by()[:1])


def shipping_method_active(code: str) -> ShippingMethod | None:
    """The active shipping method with this code (read on every checkout that names one)."""
    return _active_method_statement().first(code=code)

"""Reads of the checkout's own rows."""

from __future__ import annotations

from shop.checkout.models import ShippingMethod
from shop.core import sql

_METHOD = sql.Columns(ShippingMethod, *(f.name for f in ShippingMethod._meta.concrete_fields))
_ACTIVE_METHOD = (
    f"SELECT {_METHOD.sql('m')} FROM {sql.table(ShippingMethod)} m"  # noqa: S608
    " WHERE m.code = %s AND m.is_active"
)


def shipping_method_active(code: str) -> ShippingMethod | None:
    """The active shipping method with this code (read on every checkout that names one)."""
    found = sql.row(_ACTIVE_METHOD, [code])
    return None if found is None else _METHOD.build(found)

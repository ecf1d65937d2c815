"""Reads of stock rows for the staff screens and the low-stock alerts."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from catalog.models import Stock


def stock_with_available() -> QuerySet[Stock]:
    return Stock.objects.select_related("variant__product", "warehouse__partner").annotate(
        available=F("quantity") - F("quantity_reserved")
    )


def stock_low_list(partner_id: int | None = None) -> QuerySet[Stock]:
    """Stocks in open warehouses whose free units are at or below their threshold."""
    queryset = stock_with_available().filter(
        Q(available__lte=F("low_stock_threshold")), warehouse__is_active=True
    )
    if partner_id is not None:
        queryset = queryset.filter(warehouse__partner_id=partner_id)
    return queryset.order_by("available", "variant__sku", "warehouse__code")

"""The partner's warehouses for the dashboard: units on hand and reserved now, the stocks
running low, and the sell-through of the period (units sold of units sold and on hand).

Only the partner's own warehouses are read. Units sold come from the report rows of the
period, so the channel and collection filters apply to them; the collection filter
applies to the stock too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, Sum

from catalog.models import Stock, Warehouse
from partners.models import DailyTotals, Partner
from partners.reports.figures import percent
from partners.reports.rollups import report_rows_current
from partners.reports.selectors import ReportFilters, _filtered
from shop.core.i18n import pick

LOW_ITEMS_LIMIT = 50


def _stocks(partner: Partner, filters: ReportFilters) -> Any:
    stocks = Stock.objects.filter(warehouse__partner=partner)
    if filters.collection_id is not None:
        stocks = stocks.filter(variant__product__collection_id=filters.collection_id)
    return stocks


def _low() -> Q:
    """A stock is low when its free units are at or under its threshold."""
    return Q(quantity__lte=F("quantity_reserved") + F("low_stock_threshold"))


def report_inventory(
    *, partner: Partner, filters: ReportFilters, lang: str = "zh"
) -> list[dict[str, Any]]:
    """A row per warehouse of the partner's, by code."""
    report_rows_current()
    warehouses = list(Warehouse.objects.filter(partner=partner).order_by("code"))
    stock = {
        row["warehouse_id"]: row
        for row in _stocks(partner, filters)
        .values("warehouse_id")
        .annotate(
            on_hand=Sum("quantity"),
            reserved=Sum("quantity_reserved"),
            low=Count("pk", filter=_low()),
        )
        .order_by()
    }
    sold = dict(
        _filtered(
            DailyTotals.objects.filter(
                partner=partner,
                day__gte=filters.date_from,
                day__lte=filters.date_to,
                warehouse_id__in=[w.pk for w in warehouses],
            ),
            filters,
        )
        .values("warehouse_id")
        .annotate(sold=Sum(F("units") - F("units_refunded")))
        .order_by()
        .values_list("warehouse_id", "sold")
    )
    rows = []
    for warehouse in warehouses:
        figures = stock.get(warehouse.pk, {})
        on_hand = int(figures.get("on_hand") or 0)
        units_sold = int(sold.get(warehouse.pk) or 0)
        rows.append(
            {
                "code": warehouse.code,
                "name": pick(warehouse, "name", lang),
                "on_hand": on_hand,
                "reserved": int(figures.get("reserved") or 0),
                "free": on_hand - int(figures.get("reserved") or 0),
                "low": int(figures.get("low") or 0),
                "sold": units_sold,
                "sell_through": percent(units_sold, units_sold + on_hand),
            }
        )
    return rows


def report_low_stock(
    *, partner: Partner, filters: ReportFilters, lang: str = "zh"
) -> list[dict[str, Any]]:
    """The stocks at or under their threshold, fewest free units first."""
    stocks = (
        _stocks(partner, filters)
        .filter(_low())
        .select_related("warehouse", "variant__product")
        .annotate(free=F("quantity") - F("quantity_reserved"))
        .order_by("free", "warehouse__code", "variant__sku")[:LOW_ITEMS_LIMIT]
    )
    return [
        {
            "warehouse": stock.warehouse.code,
            "sku": stock.variant.sku,
            "product": pick(stock.variant.product, "name", lang),
            "on_hand": stock.quantity,
            "reserved": stock.quantity_reserved,
            "free": stock.free,
            "threshold": stock.low_stock_threshold,
        }
        for stock in stocks
    ]

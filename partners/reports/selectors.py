"""Sales reports for one partner, read from the daily sales rows and their sums (never
from order lines): the daily totals for everything but products, the monthly product
rows (and the daily rows of the days around whole months) for the breakdown by product.

Every figure is of sales that concern the partner (its agreements' products, its
channels); days are in the partner's timezone. No shopper data is read.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from catalog.models import Collection, Product, Warehouse
from partners.models import DailySales, DailyTotals, LedgerEntry, MonthlyProductSales, Partner
from partners.reports.rollups import report_rows_current
from partners.settlements.periods import month_next
from shop.channels.models import SalesChannel
from shop.core.i18n import pick
from shop.core.money import ZERO, MoneySum, quantize
from shop.orders.models import Order, OrderEvent, OrderStatus

INTERVALS = ("day", "week", "month")
DIMENSIONS = ("channel", "product", "collection", "warehouse")
FIGURES = ("units", "units_refunded", "gross", "refunds", "own_share")


@dataclass(frozen=True)
class ReportFilters:
    date_from: dt.date
    date_to: dt.date
    channel_id: int | None = None
    collection_id: int | None = None


def _filtered(rows: QuerySet[Any], filters: ReportFilters) -> QuerySet[Any]:
    if filters.channel_id is not None:
        rows = rows.filter(channel_id=filters.channel_id)
    if filters.collection_id is not None:
        rows = rows.filter(collection_id=filters.collection_id)
    return rows


def _rows(partner: Partner, filters: ReportFilters) -> QuerySet[DailyTotals]:
    """The period's daily totals (summed over products): what every figure but the
    breakdown by product is read from."""
    report_rows_current()
    return _filtered(
        DailyTotals.objects.filter(
            partner=partner, day__gte=filters.date_from, day__lte=filters.date_to
        ),
        filters,
    )


def _whole_months(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the whole months inside the period, if any."""
    first = date_from if date_from.day == 1 else month_next(date_from)
    last = month_next(date_to) - dt.timedelta(days=1)
    if last != date_to:
        last = date_to.replace(day=1) - dt.timedelta(days=1)
    return (first, last) if first <= last else None


def _product_figures(
    partner: Partner, filters: ReportFilters, limit: int | None
) -> list[dict[str, Any]]:
    """Figures per product over the period, largest gross first (then product id).

    Without a channel or collection filter: the monthly product rows for the whole
    months of the period (one month's top products are the first rows of an index) and
    the daily rows of the days before and after them; with one, the daily rows."""
    report_rows_current()
    daily = _filtered(DailySales.objects.filter(partner=partner), filters)
    months = _whole_months(filters.date_from, filters.date_to)
    if filters.channel_id is not None or filters.collection_id is not None or months is None:
        parts = [daily.filter(day__gte=filters.date_from, day__lte=filters.date_to)]
    else:
        first, last = months
        monthly = MonthlyProductSales.objects.filter(partner=partner)
        if filters.date_from == first and filters.date_to == last and first.month == last.month:
            one_month = monthly.filter(month=first).order_by("-gross", "product_id")
            return list(one_month.values("product_id", *FIGURES)[: limit or None])
        parts = [monthly.filter(month__gte=first, month__lte=last)]
        if filters.date_from < first:
            parts.append(daily.filter(day__gte=filters.date_from, day__lt=first))
        if last < filters.date_to:
            parts.append(daily.filter(day__gt=last, day__lte=filters.date_to))
    sums = [rows.values("product_id").annotate(**_sums()).order_by() for rows in parts]
    if len(sums) == 1:
        return list(sums[0].order_by("-gross", "product_id")[: limit or None])
    merged: dict[int, dict[str, Any]] = {}
    for rows in sums:
        for row in rows:
            into = merged.setdefault(row["product_id"], {"product_id": row["product_id"]})
            for name in FIGURES:
                into[name] = (into.get(name) or 0) + (row[name] or 0)
    ordered = sorted(merged.values(), key=lambda row: (-row["gross"], row["product_id"]))
    return ordered[: limit or None]


MONEY_FIGURES = ("gross", "refunds", "own_share")


def _sums() -> dict[str, Sum]:
    return {name: MoneySum(name) if name in MONEY_FIGURES else Sum(name) for name in FIGURES}


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    # Quantized: SQLite (the embedded first run) sums decimals with extra places.
    gross = quantize(row.get("gross") or ZERO)
    refunds = quantize(row.get("refunds") or ZERO)
    return {
        "units": int(row.get("units") or 0),
        "units_refunded": int(row.get("units_refunded") or 0),
        "gross": gross,
        "refunds": refunds,
        "net": gross - refunds,
        "own_share": quantize(row.get("own_share") or ZERO),
    }


def report_summary(*, partner: Partner, filters: ReportFilters) -> dict[str, Any]:
    """The period's key figures."""
    return _figures(_rows(partner, filters).aggregate(**_sums()))


def report_sales_series(
    *, partner: Partner, filters: ReportFilters, interval: str = "day"
) -> list[dict[str, Any]]:
    """Figures per day, week (from Monday) or month, oldest first; empty days left out."""
    rows = _rows(partner, filters)
    if interval == "day":
        return [
            {"period": row["day"], **_figures(row)}
            for row in rows.values("day").annotate(**_sums()).order_by("day")
        ]
    trunc = TruncWeek("day") if interval == "week" else TruncMonth("day")
    return [
        {"period": _as_date(row["period"]), **_figures(row)}
        for row in rows.annotate(period=trunc)
        .values("period")
        .annotate(**_sums())
        .order_by("period")
    ]


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _names(dimension: str, ids: list[int], lang: str) -> dict[int, str]:
    if dimension == "channel":
        objects: Any = SalesChannel.objects.filter(pk__in=ids)
    elif dimension == "product":
        objects = Product.objects.filter(pk__in=ids)
    elif dimension == "collection":
        objects = Collection.objects.filter(pk__in=ids)
    else:
        objects = Warehouse.objects.filter(pk__in=ids)
    return {obj.pk: pick(obj, "name", lang) for obj in objects}


def _codes(dimension: str, ids: list[int]) -> dict[int, str]:
    if dimension == "channel":
        return dict(SalesChannel.objects.filter(pk__in=ids).values_list("pk", "code"))
    if dimension == "product":
        return dict(Product.objects.filter(pk__in=ids).values_list("pk", "slug"))
    if dimension == "collection":
        return dict(Collection.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return dict(Warehouse.objects.filter(pk__in=ids).values_list("pk", "code"))


def report_breakdown(
    *,
    partner: Partner,
    filters: ReportFilters,
    by: str,
    lang: str = "zh",
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Figures per channel, product, collection or warehouse, largest gross first.

    Sales with no collection or no known warehouse are one row with a null key.
    """
    column = f"{by}_id"
    if by == "product":
        rows = _product_figures(partner, filters, limit)
    else:
        rows = list(
            _rows(partner, filters)
            .values(column)
            .annotate(**_sums())
            .order_by("-gross", column)[: limit or None]
        )
    ids = [row[column] for row in rows if row[column]]
    names, codes = _names(by, ids, lang), _codes(by, ids)
    return [
        {
            "id": row[column] or None,
            "code": codes.get(row[column], ""),
            "name": names.get(row[column], ""),
            **_figures(row),
        }
        for row in rows
    ]


def report_top_products(
    *, partner: Partner, filters: ReportFilters, lang: str = "zh", limit: int = 10
) -> list[dict[str, Any]]:
    return report_breakdown(partner=partner, filters=filters, by="product", lang=lang, limit=limit)


def report_fulfillment_times(*, partner: Partner, filters: ReportFilters) -> dict[str, Any]:
    """Hours from payment to shipping of the partner's orders paid in the period."""
    start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=partner.zone)
    end = dt.datetime.combine(
        filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=partner.zone
    )
    entries = LedgerEntry.objects.filter(partner=partner, kind="sale_share")
    if filters.channel_id is not None:
        entries = entries.filter(channel_id=filters.channel_id)
    orders = Order.objects.filter(
        pk__in=entries.values("order_id"), paid_at__gte=start, paid_at__lt=end
    )
    if filters.collection_id is not None:
        orders = orders.filter(lines__product__collection_id=filters.collection_id).distinct()
    paid = dict(orders.values_list("pk", "paid_at"))
    shipped: dict[int, dt.datetime] = {}
    for order_id, at in (
        OrderEvent.objects.filter(order_id__in=list(paid), to_status=OrderStatus.SHIPPED)
        .order_by("order_id", "created_at")
        .values_list("order_id", "created_at")
    ):
        shipped.setdefault(order_id, at)
    hours = sorted(
        (at - paid_at).total_seconds() / 3600
        for oid, at in shipped.items()
        if (paid_at := paid.get(oid)) is not None
    )
    if not hours:
        return {
            "orders_paid": len(paid),
            "orders_shipped": 0,
            "average_hours": None,
            "median_hours": None,
            "p90_hours": None,
        }
    return {
        "orders_paid": len(paid),
        "orders_shipped": len(hours),
        "average_hours": _round(sum(hours) / len(hours)),
        "median_hours": _round(statistics.median(hours)),
        "p90_hours": _round(hours[min(len(hours) - 1, int(len(hours) * 0.9))]),
    }


def _round(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))

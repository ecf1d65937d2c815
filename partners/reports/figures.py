"""The dashboard's key figures: a period beside the one a month before and a year before,
with order count, average order value and the refund and return rates; and the events of
a period that were settled in a later month's statement.

Money and units come from the report rows (:mod:`partners.reports.selectors`); the
orders are those with a sale entry of the partner's in the period, since the report rows
count units and money, not orders.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, Sum

from partners.models import LedgerEntry, LedgerKind, Partner
from partners.reports.selectors import ReportFilters, report_summary
from partners.settlements.periods import month_next
from shop.core.money import ZERO, quantize

# What makes an order one of the partner's in a period: a share of its sale or the
# commission on it (a channel owner who is no party of the agreement).
ORDER_KINDS = (LedgerKind.SALE_SHARE, LedgerKind.CHANNEL_COMMISSION)
PERCENT = Decimal("0.1")


def months_shifted(day: dt.date, months: int) -> dt.date:
    """``day`` some months earlier (negative) or later, on the last day of a shorter
    month when the day does not exist there (31 March a month back is 28/29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _shifted(filters: ReportFilters, months: int) -> ReportFilters:
    date_from = months_shifted(filters.date_from, months)
    date_to = months_shifted(filters.date_to, months)
    # A period ending on a month's last day compares with whole months.
    if month_next(filters.date_to) - dt.timedelta(days=1) == filters.date_to:
        date_to = month_next(date_to.replace(day=1)) - dt.timedelta(days=1)
    return replace(filters, date_from=date_from, date_to=date_to)


def _bounds(partner: Partner, date_from: dt.date, date_to: dt.date) -> tuple[Any, Any]:
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=partner.zone)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=partner.zone)
    return start, end


def report_order_count(*, partner: Partner, filters: ReportFilters) -> int:
    """Orders with a sale share or channel commission of the partner's in the period."""
    start, end = _bounds(partner, filters.date_from, filters.date_to)
    entries = LedgerEntry.objects.filter(
        partner=partner, kind__in=ORDER_KINDS, occurred_at__gte=start, occurred_at__lt=end
    )
    if filters.channel_id is not None:
        entries = entries.filter(channel_id=filters.channel_id)
    if filters.collection_id is not None:
        entries = entries.filter(product__collection_id=filters.collection_id)
    return entries.values("order_id").distinct().count()


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` of ``whole`` in percent with one decimal; none of nothing."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


def report_key_figures(*, partner: Partner, filters: ReportFilters) -> dict[str, Any]:
    """The summary of a period with its orders, average order value (gross per order)
    and rates: refunds of gross sales (money) and units refunded of units sold."""
    figures = report_summary(partner=partner, filters=filters)
    orders = report_order_count(partner=partner, filters=filters)
    figures.update(
        date_from=filters.date_from,
        date_to=filters.date_to,
        orders=orders,
        average_order_value=quantize(figures["gross"] / orders) if orders else None,
        refund_rate=percent(figures["refunds"], figures["gross"]),
        return_rate=percent(figures["units_refunded"], figures["units"]),
    )
    return figures


def report_comparison(*, partner: Partner, filters: ReportFilters) -> list[dict[str, Any]]:
    """The period, the same days a month before and a year before, in that order."""
    return [
        {"key": key, **report_key_figures(partner=partner, filters=_shifted(filters, months))}
        for key, months in (("current", 0), ("previous", -1), ("last_year", -12))
    ]


def report_late_events(
    *, partner: Partner, date_from: dt.date, date_to: dt.date
) -> list[dict[str, Any]]:
    """Money events of the period settled in a later month's statement (a refund booked
    after its month closed): per month of the events and settlement, their refunds and
    their whole effect on the net owed. The period's figures include them; its own
    statement does not."""
    late: list[dict[str, Any]] = []
    month = date_from.replace(day=1)
    while month <= date_to:
        start, end = _bounds(
            partner, max(month, date_from), min(month_next(month) - dt.timedelta(days=1), date_to)
        )
        rows = (
            LedgerEntry.objects.filter(
                partner=partner, occurred_at__gte=start, occurred_at__lt=end, period__gt=month
            )
            .values("period")
            .annotate(
                refunds=Sum("amount", filter=Q(kind=LedgerKind.REFUND_REVERSAL)),
                net=Sum("amount"),
            )
            .order_by("period")
        )
        late.extend(
            {
                "month": month,
                "settled_in": row["period"],
                "refunds": quantize(row["refunds"] or ZERO),
                "net": quantize(row["net"] or ZERO),
            }
            for row in rows
        )
        month = month_next(month)
    return late

"""The payment reconciliation's open lines as a partner sees them: those of its own
channels' payments and refunds (shop.payments.reconciliation)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Abs, Coalesce

from partners.models import Partner
from partners.reports.selectors import ReportFilters
from shop.payments.models import BillMismatch

_ZERO = Decimal("0.00")


def report_payment_mismatches(*, partner: Partner, filters: ReportFilters) -> list[dict[str, Any]]:
    rows = BillMismatch.objects.filter(
        channel__owner=partner,
        statement__bill_date__gte=filters.date_from,
        statement__bill_date__lte=filters.date_to,
    )
    if filters.channel_id is not None:
        rows = rows.filter(channel_id=filters.channel_id)
    difference = Abs(Coalesce(F("bill_amount"), _ZERO) - Coalesce(F("shop_amount"), _ZERO))
    totals = (
        rows.values("statement__provider")
        .annotate(
            open=Count("pk", filter=Q(resolved=False, pending=False)),
            resolved_count=Count("pk", filter=Q(resolved=True)),
            pending_count=Count("pk", filter=Q(resolved=False, pending=True)),
            difference=Coalesce(Sum(difference, filter=Q(resolved=False, pending=False)), _ZERO),
        )
        .order_by("statement__provider")
    )
    return [
        {
            "provider": row["statement__provider"],
            "open": row["open"],
            "resolved": row["resolved_count"],
            "pending": row["pending_count"],
            "difference": row["difference"],
        }
        for row in totals
    ]

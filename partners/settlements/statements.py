"""Reading settlements and their statements: the totals and a line per order, stored
when a settlement closed or summed from the ledger while it is open."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from partners.errors import SettlementNotFound
from partners.models import LedgerEntry, LedgerKind, Partner, Settlement, SettlementStatus
from shop.core.money import ZERO, MoneySum

COLUMNS_BY_KIND = {
    LedgerKind.SALE_SHARE: "gross",
    LedgerKind.SHIPPING_INCOME: "gross",
    LedgerKind.CHANNEL_COMMISSION: "commissions",
    LedgerKind.REFUND_REVERSAL: "refunds",
    LedgerKind.LOGISTICS_FEE: "logistics_fees",
    LedgerKind.PAYMENT_FEE: "payment_fees",
}


TOTAL_COLUMNS = ("gross", "commissions", "refunds", "logistics_fees", "payment_fees", "net")


@dataclass
class StatementLine:
    order_id: int
    order_number: str
    gross: Decimal = ZERO
    commissions: Decimal = ZERO
    refunds: Decimal = ZERO
    logistics_fees: Decimal = ZERO
    payment_fees: Decimal = ZERO
    net: Decimal = ZERO


@dataclass
class Statement:
    settlement: Settlement
    totals: StatementLine
    lines: list[StatementLine]
    counterparties: list[Partner]


def settlement_list(*, partner: Partner) -> list[Settlement]:
    """The partner's settlements, newest first. A closed one carries the figures stored
    when it closed; an open one (stored as zeros until then) its figures so far, the
    same its statement shows."""
    settlements = list(
        Settlement.objects.filter(partner=partner).select_related("partner").order_by("-period")
    )
    for settlement in settlements:
        if settlement.status != SettlementStatus.CLOSED:
            totals = settlement_totals_so_far(settlement)
            for column in TOTAL_COLUMNS:
                setattr(settlement, column, getattr(totals, column))
    return settlements


def settlement_totals_so_far(settlement: Settlement) -> StatementLine:
    """An open settlement's totals from its ledger entries, summed per kind."""
    totals = StatementLine(0, "")
    rows = (
        LedgerEntry.objects.filter(settlement=settlement)
        .values("kind")
        .annotate(total=Sum("amount"))
        .order_by("kind")
    )
    for row in rows:
        column = COLUMNS_BY_KIND[row["kind"]]
        setattr(totals, column, getattr(totals, column) + row["total"])
        totals.net += row["total"]
    return totals


def settlement_get(*, partner: Partner, settlement_id: int) -> Settlement:
    """One of the partner's own settlements; another partner's is not found."""
    settlement = (
        Settlement.objects.filter(partner=partner, pk=settlement_id)
        .select_related("partner")
        .first()
    )
    if settlement is None:
        raise SettlementNotFound()
    return settlement


def settlement_lines_compute(settlement: Settlement) -> list[StatementLine]:
    """A line per order from the settlement's ledger entries."""
    by_order: dict[int, StatementLine] = {}
    rows = (
        LedgerEntry.objects.filter(settlement=settlement)
        .values("order_id", "order__number", "kind")
        .annotate(total=MoneySum("amount"))
        .order_by("order_id", "kind")
    )
    for row in rows:
        line = by_order.setdefault(
            row["order_id"],
            StatementLine(row["order_id"], row["order__number"] or str(row["order_id"])),
        )
        column = COLUMNS_BY_KIND[row["kind"]]
        setattr(line, column, getattr(line, column) + row["total"])
        line.net += row["total"]
    return list(by_order.values())


def statement_totals(lines: list[StatementLine]) -> StatementLine:
    totals = StatementLine(0, "")
    for line in lines:
        for column in TOTAL_COLUMNS:
            setattr(totals, column, getattr(totals, column) + getattr(line, column))
    return totals


def settlement_statement_get(settlement: Settlement) -> Statement:
    """What a statement shows: the stored lines of a closed settlement, or the live
    lines of an open one."""
    if settlement.status == SettlementStatus.CLOSED:
        # Tuples, not model instances: a month can hold tens of thousands of lines.
        lines = [
            StatementLine(*row)
            for row in settlement.lines.order_by("order_id").values_list(
                "order_id", "order_number", *TOTAL_COLUMNS
            )
        ]
        totals = StatementLine(0, "", *(getattr(settlement, column) for column in TOTAL_COLUMNS))
    else:
        lines = settlement_lines_compute(settlement)
        totals = statement_totals(lines)
    orders = LedgerEntry.objects.filter(settlement=settlement).values("order_id")
    counterparties = list(
        Partner.objects.filter(
            pk__in=LedgerEntry.objects.filter(order_id__in=orders)
            .exclude(partner_id=settlement.partner_id)
            .values("partner_id")
        ).order_by("code")
    )
    if not counterparties:
        counterparties = list(
            Partner.objects.filter(is_active=True)
            .exclude(pk=settlement.partner_id)
            .order_by("code")
        )
    return Statement(settlement, totals, lines, counterparties)

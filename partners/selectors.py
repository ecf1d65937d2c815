"""Reads of partner money: agreements in force, the terms of an order's lines, settlements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from partners import ledger
from partners.errors import PartnerNotFound, PartnerRequired, SettlementNotFound
from partners.ledger_write import LineFacts
from partners.models import (
    AgreementVersion,
    LedgerEntry,
    LedgerKind,
    Partner,
    Settlement,
    SettlementStatus,
)
from shop.channels.models import SalesChannel
from shop.checkout.models import Reservation, ReservationStatus
from shop.core.money import ZERO, to_fen
from shop.core.permissions import user_partner_id
from shop.orders.models import Order, OrderLine


def agreement_version_in_force(
    *, product_id: int, collection_id: int | None, on: dt.date
) -> AgreementVersion | None:
    """The terms for a product sold on ``on``: its own agreement's, else its collection's."""
    coverage = [Q(agreement__product_id=product_id)]
    if collection_id:
        coverage.append(Q(agreement__collection_id=collection_id))
    for covers in coverage:
        version = (
            AgreementVersion.objects.filter(covers, valid_from__lte=on)
            .filter(Q(agreement__valid_until__isnull=True) | Q(agreement__valid_until__gte=on))
            .order_by("-valid_from")
            .first()
        )
        if version is not None:
            return version
    return None


@dataclass
class OrderTerms:
    """An order's lines as the split needs them."""

    lines: list[ledger.LineTerms] = field(default_factory=list)
    facts: dict[int, LineFacts] = field(default_factory=dict)
    concerned: dict[int, set[int]] = field(default_factory=dict)
    versions: dict[int, AgreementVersion | None] = field(default_factory=dict)


def _line_warehouses(line_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Each line's main warehouse (holding most of its units) and that warehouse's partner."""
    best: dict[int, tuple[int, int, int]] = {}
    rows = (
        Reservation.objects.filter(order_line_id__in=line_ids)
        .exclude(status=ReservationStatus.RELEASED)
        .values_list("order_line_id", "stock__warehouse_id", "stock__warehouse__partner_id")
        .annotate(units=Sum("quantity"))
        .order_by("order_line_id", "stock__warehouse_id")
    )
    for line_id, warehouse_id, partner_id, units in rows:
        if line_id not in best or units > best[line_id][0]:
            best[line_id] = (units, warehouse_id, partner_id)
    return {line_id: (w, p) for line_id, (_, w, p) in best.items()}


def _ledger_warehouses(order_id: int) -> dict[int, tuple[int, int]]:
    rows = (
        LedgerEntry.objects.filter(
            order_id=order_id, kind__in=ledger.REVERSIBLE_KINDS, warehouse__isnull=False
        )
        .values_list("order_line_id", "warehouse_id", "warehouse__partner_id")
        .order_by("order_line_id", "id")
    )
    found: dict[int, tuple[int, int]] = {}
    for line_id, warehouse_id, partner_id in rows:
        found.setdefault(line_id, (warehouse_id, partner_id))
    return found


# What the split reads of a line, its product and its agreement version.
_TERMS_LINE_FIELDS = (
    "id",
    "order_id",
    "product_id",
    "quantity",
    "line_total",
    "agreement_version_id",
    "product__id",
    "product__collection_id",
    "agreement_version__id",
    "agreement_version__logistics_partner_id",
    "agreement_version__logistics_fee",
    "agreement_version__payment_fee_bearer",
    "agreement_version__refund_policy",
)


def order_lines_terms(
    order: Order, *, warehouses_from_ledger: bool = False, warehouse_id: int | None = None
) -> OrderTerms:
    """The split terms of every line of ``order``, with the commission rate of today's
    channel (the caller records it at the sale) and the versions the lines recorded."""
    lines = list(
        OrderLine.objects.filter(order_id=order.pk)
        .select_related("product", "agreement_version")
        .only(*_TERMS_LINE_FIELDS)
        .prefetch_related("agreement_version__parties")
        .order_by("id")
    )
    channel = (
        order.channel
        if Order.channel.is_cached(order)  # type: ignore[attr-defined]
        else SalesChannel.objects.get(pk=order.channel_id)
    )
    line_ids = [line.pk for line in lines]
    warehouses = _ledger_warehouses(order.pk) if warehouses_from_ledger else {}
    if not warehouses:
        warehouses = _line_warehouses(line_ids)
    terms = OrderTerms()
    for line in lines:
        version = line.agreement_version
        parties = (
            tuple(
                ledger.PartyShare(p.partner_id, p.role, p.share_bp) for p in version.parties.all()
            )
            if version
            else ()
        )
        line_warehouse, warehouse_partner = warehouses.get(line.pk, (None, None))
        if warehouse_id is not None:
            line_warehouse = warehouse_id
        logistics = (
            (version.logistics_partner_id if version else None)
            or warehouse_partner
            or channel.owner_id
        )
        terms.lines.append(
            ledger.LineTerms(
                line_id=line.pk,
                line_total_fen=to_fen(line.line_total),
                channel_owner_id=channel.owner_id,
                commission_rate=channel.commission_rate,
                logistics_partner_id=logistics,
                parties=parties,
                payment_fee_bearer=version.payment_fee_bearer if version else "parties",
                refund_policy=version.refund_policy if version else "mirror",
            )
        )
        terms.facts[line.pk] = LineFacts(
            line_id=line.pk,
            product_id=line.product_id,
            collection_id=line.product.collection_id or 0,
            warehouse_id=line_warehouse,
            agreement_version_id=version.pk if version else None,
            quantity=line.quantity,
        )
        terms.concerned[line.pk] = {channel.owner_id} | {p.partner_id for p in parties}
        terms.versions[line.pk] = version
    return terms


# --- Who asks, and for which partner --------------------------------------------------------


def partner_for_user(user: Any, code: str | None = None) -> Partner:
    """The partner whose figures ``user`` sees. A superuser names one with ``code``."""
    if user.is_superuser and code:
        partner = Partner.objects.filter(code=code).first()
        if partner is None:
            raise PartnerNotFound()
        return partner
    partner_id = user_partner_id(user)
    if partner_id is None:
        raise PartnerRequired()
    return Partner.objects.get(pk=partner_id)


# --- Settlements ----------------------------------------------------------------------------

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


def settlement_list(*, partner: Partner) -> QuerySet[Settlement]:
    return Settlement.objects.filter(partner=partner).select_related("partner").order_by("-period")


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
        .annotate(total=Sum("amount"))
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

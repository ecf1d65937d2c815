"""Reads of partner money: agreements in force, the terms of an order's lines, settlements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from catalog.models import Product, Stock, Warehouse
from partners import ledger
from partners.errors import PartnerNotFound, PartnerRequired, SettlementNotFound
from partners.ledger_write import LineFacts
from partners.models import (
    AgreementParty,
    AgreementVersion,
    LedgerEntry,
    LedgerKind,
    Partner,
    Settlement,
    SettlementStatus,
)
from shop.channels.models import SalesChannel
from shop.core import sql
from shop.core.money import ZERO, MoneySum, to_fen
from shop.core.permissions import user_partner_id
from shop.orders.holds import Reservation, ReservationStatus
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


_TERMS_VERSION = sql.Columns(
    AgreementVersion,
    "id",
    "logistics_fee",
    "logistics_partner",
    "payment_fee_bearer",
    "refund_policy",
)
# The warehouse holding most of a line's units (the lowest id of those holding as many),
# with the column of it asked for.
_MAIN_WAREHOUSE = (
    "(SELECT {column} FROM {reservation} r JOIN {stock} s ON s.id = r.stock_id"
    " JOIN {warehouse} w ON w.id = s.warehouse_id"
    " WHERE r.order_line_id = l.id AND r.status <> %(released)s"
    " GROUP BY s.warehouse_id, w.partner_id"
    " ORDER BY SUM(r.quantity) DESC, s.warehouse_id LIMIT 1)"
)
_MAIN_WAREHOUSE_COLUMNS = ", ".join(
    _MAIN_WAREHOUSE.format(
        column=column,
        reservation=sql.table(Reservation),
        stock=sql.table(Stock),
        warehouse=sql.table(Warehouse),
    )
    for column in ("s.warehouse_id", "w.partner_id")
)
# Every line of an order with its product's collection, its main warehouse and that
# warehouse's partner, its agreement version and that version's parties (one row per
# party, in the parties' own order).
_TERMS_LINES = (
    "SELECT l.id, l.product_id, l.quantity, l.line_total, p.collection_id,"  # noqa: S608
    f" {_MAIN_WAREHOUSE_COLUMNS},"
    f" {_TERMS_VERSION.sql('v')}, ap.partner_id, ap.role, ap.share_bp"
    f" FROM {sql.table(OrderLine)} l JOIN {sql.table(Product)} p ON p.id = l.product_id"
    f" LEFT JOIN {sql.table(AgreementVersion)} v ON v.id = l.agreement_version_id"
    f" LEFT JOIN {sql.table(AgreementParty)} ap ON ap.version_id = v.id"
    " WHERE l.order_id = %(order)s ORDER BY l.id, ap.id"
)


@dataclass
class _TermsLine:
    line_id: int
    product_id: int
    quantity: int
    line_total: Decimal
    collection_id: int | None
    warehouse: tuple[int, int] | None  # the main warehouse and its partner
    version: AgreementVersion | None
    parties: list[ledger.PartyShare] = field(default_factory=list)


def _terms_lines(order_id: int) -> list[_TermsLine]:
    lines: dict[int, _TermsLine] = {}
    width = len(_TERMS_VERSION)
    params = {"order": order_id, "released": ReservationStatus.RELEASED}
    for found in sql.rows(_TERMS_LINES, params):
        line_id, product_id, quantity, line_total, collection_id, warehouse, partner = found[:7]
        line = lines.get(line_id)
        if line is None:
            version_values = found[7 : 7 + width]
            line = lines[line_id] = _TermsLine(
                line_id=line_id,
                product_id=product_id,
                quantity=quantity,
                line_total=sql.money(line_total),
                collection_id=collection_id,
                warehouse=None if warehouse is None else (warehouse, partner),
                version=_TERMS_VERSION.build(version_values) if version_values[0] else None,
            )
        partner_id, role, share_bp = found[7 + width :]
        if partner_id is not None:
            line.parties.append(ledger.PartyShare(partner_id, role, share_bp))
    return list(lines.values())


def order_lines_terms(
    order: Order, *, warehouses_from_ledger: bool = False, warehouse_id: int | None = None
) -> OrderTerms:
    """The split terms of every line of ``order``, with the commission rate of today's
    channel (the caller records it at the sale) and the versions the lines recorded."""
    lines = _terms_lines(order.pk)
    channel = (
        order.channel
        if Order.channel.is_cached(order)  # type: ignore[attr-defined]
        else SalesChannel.objects.get(pk=order.channel_id)
    )
    warehouses = _ledger_warehouses(order.pk) if warehouses_from_ledger else {}
    if not warehouses:
        warehouses = {line.line_id: line.warehouse for line in lines if line.warehouse}
    terms = OrderTerms()
    for line in lines:
        version = line.version
        parties = tuple(line.parties)
        line_warehouse, warehouse_partner = warehouses.get(line.line_id, (None, None))
        if warehouse_id is not None:
            line_warehouse = warehouse_id
        logistics = (
            (version.logistics_partner_id if version else None)
            or warehouse_partner
            or channel.owner_id
        )
        terms.lines.append(
            ledger.LineTerms(
                line_id=line.line_id,
                line_total_fen=to_fen(line.line_total),
                channel_owner_id=channel.owner_id,
                commission_rate=channel.commission_rate,
                logistics_partner_id=logistics,
                parties=parties,
                payment_fee_bearer=version.payment_fee_bearer if version else "parties",
                refund_policy=version.refund_policy if version else "mirror",
            )
        )
        terms.facts[line.line_id] = LineFacts(
            line_id=line.line_id,
            product_id=line.product_id,
            collection_id=line.collection_id or 0,
            warehouse_id=line_warehouse,
            agreement_version_id=version.pk if version else None,
            quantity=line.quantity,
        )
        terms.concerned[line.line_id] = {channel.owner_id} | {p.partner_id for p in parties}
        terms.versions[line.line_id] = version
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

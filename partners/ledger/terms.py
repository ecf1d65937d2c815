"""What the split of an order needs to know about its lines, read as they were sold:
totals, the agreement version each line recorded and its parties, the channel's
commission and the warehouse that shipped most of each line."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from catalog.models import Product, Stock, Warehouse
from partners.ledger import split
from partners.models import AgreementParty, AgreementVersion, LedgerEntry
from shop.channels.models import SalesChannel
from shop.core import sql
from shop.core.money import to_fen
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderLine


@dataclass(frozen=True)
class LineFacts:
    """What an entry records about its line besides the amount."""

    line_id: int
    product_id: int
    collection_id: int
    warehouse_id: int | None
    agreement_version_id: int | None
    quantity: int


@dataclass
class OrderTerms:
    """An order's lines as the split needs them."""

    lines: list[split.LineTerms] = field(default_factory=list)
    facts: dict[int, LineFacts] = field(default_factory=dict)
    concerned: dict[int, set[int]] = field(default_factory=dict)
    versions: dict[int, AgreementVersion | None] = field(default_factory=dict)


def _ledger_warehouses(order_id: int) -> dict[int, tuple[int, int]]:
    rows = (
        LedgerEntry.objects.filter(
            order_id=order_id, kind__in=split.REVERSIBLE_KINDS, warehouse__isnull=False
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
    parties: list[split.PartyShare] = field(default_factory=list)


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
            line.parties.append(split.PartyShare(partner_id, role, share_bp))
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
            split.LineTerms(
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

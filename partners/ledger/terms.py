"""What the split of an order needs to know about its lines, read as they were sold:
totals, the agreement version each line recorded and its parties, the channel's
commission and the warehouse that shipped most of each line."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from partners.ledger import split
from partners.models import AgreementVersion, LedgerEntry
from shop.channels.models import SalesChannel
from shop.core.kept_statements import ID_FIELD, KeptStatement, Slot
from shop.core.money import to_fen
from shop.orders.holds import ReservationStatus
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


def _main_warehouse(held: dict[tuple[int, int], int]) -> tuple[int, int] | None:
    """The warehouse holding most of a line's units (the lowest id of those holding as
    many) and its partner; ``held``: the units not released by (warehouse, partner)."""
    if not held:
        return None
    return min(held, key=lambda warehouse: (-held[warehouse], warehouse[0]))


# The agreement version's columns the split reads, as a line's values name them.
_VERSION_FIELDS = {
    "id": "agreement_version_id",
    "logistics_fee": "agreement_version__logistics_fee",
    "logistics_partner_id": "agreement_version__logistics_partner_id",
    "payment_fee_bearer": "agreement_version__payment_fee_bearer",
    "refund_policy": "agreement_version__refund_policy",
}
_PARTY_FIELDS = (
    "agreement_version__parties__id",
    "agreement_version__parties__partner_id",
    "agreement_version__parties__role",
    "agreement_version__parties__share_bp",
)
# A line's holds, joined beside its parties (a row per hold and party): cheaper to read
# and sum here than as a grouped subquery per column.
_HOLD_FIELDS = (
    "reservations__id",
    "reservations__status",
    "reservations__quantity",
    "reservations__stock__warehouse_id",
    "reservations__stock__warehouse__partner_id",
)


@dataclass
class _TermsLine:
    line_id: int
    product_id: int
    quantity: int
    line_total: Decimal
    collection_id: int | None
    version: AgreementVersion | None
    parties: dict[int, split.PartyShare] = field(default_factory=dict)  # by party id
    holds: set[int] = field(default_factory=set)  # the holds counted in ``held``
    held: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def warehouse(self) -> tuple[int, int] | None:
        """The main warehouse and its partner."""
        return _main_warehouse(self.held)

    def row_add(self, party: tuple[Any, ...], hold: tuple[Any, ...]) -> None:
        party_id, partner_id, role, share_bp = party
        if party_id is not None and party_id not in self.parties:
            self.parties[party_id] = split.PartyShare(partner_id, role, share_bp)
        hold_id, status, units, warehouse_id, warehouse_partner_id = hold
        if hold_id is None or hold_id in self.holds or status == ReservationStatus.RELEASED:
            return
        self.holds.add(hold_id)
        key = (warehouse_id, warehouse_partner_id)
        self.held[key] = self.held.get(key, 0) + units


_TERMS_NAMES = (
    "id",
    "product_id",
    "quantity",
    "line_total",
    "product__collection_id",
    *_VERSION_FIELDS.values(),
    *_PARTY_FIELDS,
    *_HOLD_FIELDS,
)


@functools.cache
def _terms_rows() -> KeptStatement[dict[str, Any]]:
    """The rows of ``_terms_lines`` for an order (its id the slot): resolving its
    nineteen names over five joins and compiling them costs more than running it, so it
    is kept compiled once per process and connection (shop/core/kept_statements.py)."""
    return KeptStatement(
        OrderLine.objects.filter(order_id=Slot("order_id", ID_FIELD))
        .values(*_TERMS_NAMES)
        .order_by("id", "agreement_version__parties__id", "reservations__id")
    )


def _terms_lines(order_id: int) -> list[_TermsLine]:
    """Every line of an order with its product's collection, its main warehouse and that
    warehouse's partner, its agreement version and that version's parties: one query,
    a row per party and hold, the parties in their own order."""
    rows = [tuple(row.values()) for row in _terms_rows().rows(order_id=order_id)]
    lines: dict[int, _TermsLine] = {}
    width = len(_VERSION_FIELDS)
    parties_end = 5 + width + len(_PARTY_FIELDS)
    for found in rows:
        line_id, product_id, quantity, line_total, collection_id = found[:5]
        line = lines.get(line_id)
        if line is None:
            version = dict(zip(_VERSION_FIELDS, found[5 : 5 + width], strict=True))
            line = lines[line_id] = _TermsLine(
                line_id=line_id,
                product_id=product_id,
                quantity=quantity,
                line_total=line_total,
                collection_id=collection_id,
                version=AgreementVersion(**version) if version["id"] else None,
            )
        line.row_add(found[5 + width : parties_end], found[parties_end:])
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
        mains = ((line.line_id, line.warehouse) for line in lines)
        warehouses = {line_id: main for line_id, main in mains if main is not None}
    terms = OrderTerms()
    for line in lines:
        version = line.version
        parties = tuple(line.parties.values())
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
                product_id=line.product_id,
                agreement_version_id=version.pk if version else None,
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

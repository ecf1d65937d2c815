"""Writing an event's ledger entries and the report deltas they feed, inside the
caller's transaction.

Used by the money hooks in :mod:`partners.ledger.hooks`; nothing here opens its own
transaction, so an event and its entries are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from partners.ledger.split import SHIPPING_INCOME, Part
from partners.ledger.terms import LineFacts
from partners.models import LedgerEntry
from partners.reports.rollups import Increment, report_deltas_write
from partners.settlements.opening import settlements_open_at
from partners.settlements.periods import PartnerClock
from shop.core.money import from_fen


@dataclass
class EventContext:
    source: str
    order_id: int
    channel_id: int
    occurred_at: dt.datetime
    lines: dict[int, LineFacts]
    clock: PartnerClock = field(default_factory=PartnerClock)


def entries_write(context: EventContext, parts: Sequence[Part]) -> list[LedgerEntry]:
    """One ledger entry per part, each in its partner's open settlement."""
    settlements = settlements_open_at(
        context.clock, {part.partner_id for part in parts}, context.occurred_at
    )
    entries = []
    for position, part in enumerate(parts):
        settlement = settlements[part.partner_id]
        facts = context.lines[part.line_id]
        entries.append(
            LedgerEntry(
                partner_id=part.partner_id,
                settlement=settlement,
                period=settlement.period,
                kind=part.kind,
                reversed_kind=part.reversed_kind,
                role=part.role,
                amount=from_fen(part.fen),
                share_bp=part.share_bp,
                commission_rate=part.commission_rate,
                order_id=context.order_id,
                order_line_id=part.line_id,
                agreement_version_id=facts.agreement_version_id,
                channel_id=context.channel_id,
                product_id=facts.product_id,
                warehouse_id=facts.warehouse_id,
                source=context.source,
                position=position,
                occurred_at=context.occurred_at,
            )
        )
    return LedgerEntry.objects.bulk_create(entries)


def daily_sales_add(
    context: EventContext,
    parts: Sequence[Part],
    *,
    concerned: Mapping[int, Iterable[int]],
    units: dict[int, int] | None = None,
    units_refunded: dict[int, int] | None = None,
    mode: str = "sale",
) -> None:
    """Add one event to the daily rows of every partner it concerns.

    ``concerned`` maps a line to the partners that see it in their reports (the
    agreement's parties and the channel owner); a partner with money on a line is
    always concerned. A ``sale`` adds its lines' revenue to ``gross``; a ``refund``
    adds the refunded revenue (shipping aside) to ``refunds``; a ``fee`` only moves
    the partners' own shares.
    """
    units = units or {}
    units_refunded = units_refunded or {}
    revenue: dict[int, int] = defaultdict(int)
    own: dict[tuple[int, int], int] = defaultdict(int)
    for part in parts:
        if part.kind != SHIPPING_INCOME and part.reversed_kind != SHIPPING_INCOME:
            revenue[part.line_id] += part.fen
        own[(part.line_id, part.partner_id)] += part.fen
    increments: dict[tuple, Increment] = defaultdict(Increment)
    context.clock.load(
        {p for partners in concerned.values() for p in partners} | {p for (_, p) in own}
    )
    for line_id, facts in context.lines.items():
        partners = set(concerned.get(line_id, ())) | {p for (lid, p) in own if lid == line_id}
        for partner_id in partners:
            day = context.clock.local_date(partner_id, context.occurred_at)
            key = (
                partner_id,
                day,
                context.channel_id,
                facts.product_id,
                facts.collection_id,
                facts.warehouse_id or 0,
            )
            row = increments[key]
            row.units += units.get(line_id, 0)
            row.units_refunded += units_refunded.get(line_id, 0)
            if mode == "refund":
                row.refunds -= revenue.get(line_id, 0)
            elif mode == "sale":
                row.gross += revenue.get(line_id, 0)
            row.own_share += own.get((line_id, partner_id), 0)
    report_deltas_write(increments)

"""Writing ledger entries and the report deltas they feed, inside the caller's transaction.

Used by the money hooks in :mod:`partners.services`; nothing here opens its own
transaction, so an event and its entries are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection

from partners.ledger import SHIPPING_INCOME, Part
from partners.models import (
    LedgerEntry,
    Partner,
    Settlement,
    SettlementEvent,
    SettlementEventType,
    SettlementStatus,
    zone_named,
)
from partners.rollups import Increment, report_deltas_write
from shop.core import sql
from shop.core.events import event_write
from shop.core.money import from_fen


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_next(period: dt.date) -> dt.date:
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_previous(period: dt.date) -> dt.date:
    return (period.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


class PartnerClock:
    """Each partner's timezone, read once per event."""

    def __init__(self) -> None:
        self._zones: dict[int, ZoneInfo] = {}

    def load(self, partner_ids: Iterable[int]) -> None:
        """Read the timezones of all these partners at once."""
        missing = sorted(set(partner_ids) - set(self._zones))
        if missing:
            placeholders = ", ".join(["%s"] * len(missing))
            found = sql.rows(
                f"SELECT id, timezone FROM {sql.table(Partner)} WHERE id IN ({placeholders})",  # noqa: S608
                missing,
            )
            self.learn(dict(found))

    def learn(self, zones: Mapping[int, str]) -> None:
        """Timezones read from the partners' rows (``{partner_id: name}``); an empty one
        is the shop's, Shanghai."""
        for partner_id, name in zones.items():
            if partner_id not in self._zones:
                self._zones[partner_id] = zone_named(name)

    def zone(self, partner_id: int) -> ZoneInfo:
        if partner_id not in self._zones:
            name = Partner.objects.filter(pk=partner_id).values_list("timezone", flat=True).get()
            self.learn({partner_id: name})
        return self._zones[partner_id]

    def local_date(self, partner_id: int, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone(partner_id)).date()


def _status_locked_shared(settlement_id: int) -> str:
    """Read a settlement's status, holding it so it cannot close until we commit.

    Many writers may hold it at once (FOR SHARE); closing takes it exclusively and
    so waits for them, and writers that come after a close see it closed.
    """
    if connection.vendor == "postgresql":
        with sql.statement_cursor() as cursor:
            cursor.execute(
                f"SELECT status FROM {Settlement._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608
                [settlement_id],
            )
            return str(cursor.fetchone()[0])
    return str(Settlement.objects.filter(pk=settlement_id).values_list("status", flat=True).get())


def settlements_open_at(
    clock: PartnerClock, partner_ids: Iterable[int], moment: dt.datetime
) -> dict[int, Settlement]:
    """The open settlement each partner's event at ``moment`` belongs to (as
    ``settlement_open_for`` of its local day), the partners' timezones learned on the
    way. On PostgreSQL the settlements that exist and are open are held (FOR SHARE, in
    id order) by one query: away from the turn of a month, where every timezone's local
    day (at most a day from UTC's) is in the same month, with the partners' timezones;
    within a day of it, after the timezones are read, each partner's own month only,
    never its neighbour (closing a month takes its settlement exclusively). A partner
    whose month has no open settlement yet is then found one by one."""
    wanted = sorted(set(partner_ids))
    found: dict[int, Settlement] = {}
    if connection.vendor == "postgresql" and wanted:
        utc_day = moment.astimezone(dt.UTC).date()
        month = month_start(utc_day - dt.timedelta(days=1))
        if month == month_start(utc_day + dt.timedelta(days=1)):
            placeholders = ", ".join(["%s"] * len(wanted))
            rows = sql.rows(
                f"SELECT p.id, p.timezone, s.id, s.status FROM {sql.table(Partner)} p"  # noqa: S608
                f" JOIN {sql.table(Settlement)} s ON s.partner_id = p.id AND s.period = %s"
                f" WHERE p.id IN ({placeholders}) ORDER BY s.id FOR SHARE OF s",
                [month, *wanted],
            )
            clock.learn({partner_id: zone for partner_id, zone, _, _ in rows})
            for partner_id, _, pk, status in rows:
                if status == SettlementStatus.OPEN:
                    found[partner_id] = Settlement(
                        id=pk, partner_id=partner_id, period=month, status=status
                    )
        else:
            clock.load(wanted)
            found = _settlements_open_held(
                {p: month_start(clock.local_date(p, moment)) for p in wanted}
            )
    missing = [partner_id for partner_id in wanted if partner_id not in found]
    if missing:
        clock.load(missing)
        for partner_id in missing:
            found[partner_id] = settlement_open_for(
                partner_id, clock.local_date(partner_id, moment)
            )
    return found


def _settlements_open_held(periods: Mapping[int, dt.date]) -> dict[int, Settlement]:
    """Of the settlements of these partners and months (``{partner_id: period}``), those
    that exist and are open, read and held (FOR SHARE, in id order) by one query."""
    pairs = sorted(periods.items())
    placeholders = ", ".join("(%s, %s)" for _ in pairs)
    found: dict[int, Settlement] = {}
    for pk, partner_id, period, status in sql.rows(
        f"SELECT id, partner_id, period, status FROM {sql.table(Settlement)}"  # noqa: S608
        f" WHERE (partner_id, period) IN ({placeholders}) ORDER BY id FOR SHARE",
        [value for pair in pairs for value in pair],
    ):
        if status == SettlementStatus.OPEN:
            found[partner_id] = Settlement(
                id=pk, partner_id=partner_id, period=period, status=status
            )
    return found


def settlement_open_for(partner_id: int, local_day: dt.date) -> Settlement:
    """The open settlement an event of ``local_day`` belongs to: its month, or a later one
    when that month is already closed (a late event lands in the next open period)."""
    period = month_start(local_day)
    while True:
        settlement, created = Settlement.objects.get_or_create(partner_id=partner_id, period=period)
        if created:
            event_write(
                SettlementEvent,
                settlement,
                SettlementEventType.OPENED,
                to_status=SettlementStatus.OPEN,
            )
        if _status_locked_shared(settlement.pk) == SettlementStatus.OPEN:
            return settlement
        period = month_next(period)


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
    return sql.insert(entries)


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

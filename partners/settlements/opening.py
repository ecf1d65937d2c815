"""Finding, and opening when needed, the settlement an event belongs to, and holding it
open until the event commits.

A writer holds its settlement FOR SHARE; closing takes it exclusively (see
:mod:`partners.settlements.closing`), so a month never closes under an event being
written, and an event after the close lands in the next open month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from partners.models import (
    Settlement,
    SettlementEvent,
    SettlementEventType,
    SettlementStatus,
)
from partners.queries import settlement_status_held, settlements_held, settlements_of_month_held
from partners.settlements.periods import PartnerClock, month_next, month_start
from shop.core.events import event_write


def settlements_open_at(
    clock: PartnerClock, partner_ids: Iterable[int], moment: dt.datetime
) -> dict[int, Settlement]:
    """The open settlement each partner's event at ``moment`` belongs to (as
    ``settlement_open_for`` of its local day), the partners' timezones learned on the
    way. The settlements that exist and are open are held (FOR SHARE, in id order) by
    one query: away from the turn of a month, where every timezone's local
    day (at most a day from UTC's) is in the same month, with the partners' timezones;
    within a day of it, after the timezones are read, each partner's own month only,
    never its neighbour (closing a month takes its settlement exclusively). A partner
    whose month has no open settlement yet is then found one by one."""
    wanted = sorted(set(partner_ids))
    found: dict[int, Settlement] = {}
    if wanted:
        utc_day = moment.astimezone(dt.UTC).date()
        month = month_start(utc_day - dt.timedelta(days=1))
        if month == month_start(utc_day + dt.timedelta(days=1)):
            rows = settlements_of_month_held(month, wanted)
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
    found: dict[int, Settlement] = {}
    for pk, partner_id, status in settlements_held(periods):
        if status == SettlementStatus.OPEN:
            found[partner_id] = Settlement(
                id=pk, partner_id=partner_id, period=periods[partner_id], status=status
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
        if settlement_status_held(settlement.pk) == SettlementStatus.OPEN:
            return settlement
        period = month_next(period)

"""Closing monthly settlements.

A settlement closes once its month is over in the partner's timezone. Closing
writes the totals and a line per order from the ledger and never runs twice;
events that arrive afterwards land in the next open month (see
:func:`partners.settlements.opening.settlement_open_for`). A closed settlement with
money owed is paid by the task ``partners.settlement_transfer_send``, sent by its
name so that closing does not import the tasks that call it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.errors import SettlementPeriodNotOver
from partners.models import (
    Partner,
    Settlement,
    SettlementEvent,
    SettlementEventType,
    SettlementLine,
    SettlementStatus,
)
from partners.settlements.periods import month_next, month_previous, month_start, partner_today
from partners.settlements.statements import (
    TOTAL_COLUMNS,
    settlement_lines_compute,
    statement_totals,
)
from partners.settlements.transfers import transfers_enabled
from shop.core.events import event_write
from shop.core.tasks import enqueue_on_commit


@transaction.atomic
def settlement_close(
    *, settlement_id: int, now: dt.datetime | None = None, user: Any = None
) -> Settlement:
    """Close a settlement whose month is over; closing a closed one changes nothing.

    The closing event names who closed it (``closed_by``: the staff member's id and
    e-mail, or the schedule when ``user`` is None), so statements can be audited."""
    settlement = (
        Settlement.objects.select_for_update(of=("self",), no_key=True)
        .select_related("partner")
        .get(pk=settlement_id)
    )
    if settlement.status == SettlementStatus.CLOSED:
        return settlement
    today = partner_today(settlement.partner, now)
    if month_next(settlement.period) > today:
        raise SettlementPeriodNotOver(
            fields={
                "period": [
                    _("%(period)s is not over on %(today)s.")
                    % {"period": f"{settlement.period:%Y-%m}", "today": today}
                ]
            }
        )
    lines = settlement_lines_compute(settlement)
    totals = statement_totals(lines)
    SettlementLine.objects.bulk_create(
        SettlementLine(
            settlement=settlement,
            order_id=line.order_id,
            order_number=line.order_number,
            **{column: getattr(line, column) for column in TOTAL_COLUMNS},
        )
        for line in lines
    )
    changes: dict[str, Any] = {column: getattr(totals, column) for column in TOTAL_COLUMNS}
    changes.update(status=SettlementStatus.CLOSED, closed_at=now or timezone.now())
    Settlement.objects.filter(pk=settlement.pk, status=SettlementStatus.OPEN).update(**changes)
    for field, value in changes.items():
        setattr(settlement, field, value)
    event_write(
        SettlementEvent,
        settlement,
        SettlementEventType.CLOSED,
        from_status=SettlementStatus.OPEN,
        to_status=SettlementStatus.CLOSED,
        user=user,
        data={
            "orders": len(lines),
            **{c: str(getattr(totals, c)) for c in TOTAL_COLUMNS},
            "closed_by": _actor(user),
        },
    )
    # Its statement files, rendered once off the request (stored_statements.py).
    enqueue_on_commit("partners.settlement_statements_store", settlement.pk)
    if transfers_enabled() and settlement.partner.stripe_account_id and settlement.net > 0:
        enqueue_on_commit("partners.settlement_transfer_send", settlement.pk)
    return settlement


def _actor(user: Any) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None, "email": "", "by": "schedule"}
    return {"user_id": user.pk, "email": user.email, "by": "staff"}


def settlements_close_due(*, now: dt.datetime | None = None) -> list[int]:
    """Close every partner's settlements of months that are over, the previous month
    included even when nothing happened in it (a zero statement). Idempotent."""
    closed: list[int] = []
    for partner in Partner.objects.order_by("pk"):
        current = month_start(partner_today(partner, now))
        previous = month_previous(current)
        with transaction.atomic():
            settlement, created = Settlement.objects.get_or_create(partner=partner, period=previous)
            if created:
                event_write(
                    SettlementEvent,
                    settlement,
                    SettlementEventType.OPENED,
                    to_status=SettlementStatus.OPEN,
                )
        due = Settlement.objects.filter(
            partner=partner, status=SettlementStatus.OPEN, period__lt=current
        ).order_by("period")
        for settlement_id in due.values_list("pk", flat=True):
            settlement_close(settlement_id=settlement_id, now=now)
            closed.append(settlement_id)
    return closed

"""Closing monthly settlements, and paying partners through Stripe Connect when enabled.

A settlement closes once its month is over in the partner's timezone. Closing
writes the totals and a line per order from the ledger and never runs twice;
events that arrive afterwards land in the next open month (see
:func:`partners.ledger_write.settlement_open_for`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.errors import SettlementPeriodNotOver
from partners.ledger_write import month_next, month_previous, month_start
from partners.models import (
    Partner,
    Settlement,
    SettlementEvent,
    SettlementEventType,
    SettlementLine,
    SettlementStatus,
    TransferStatus,
)
from partners.selectors import TOTAL_COLUMNS, settlement_lines_compute, statement_totals
from shop.core.events import event_write
from shop.core.money import to_fen

logger = logging.getLogger(__name__)


def partner_today(partner: Partner, now: dt.datetime | None = None) -> dt.date:
    now = now or timezone.now()
    return now.astimezone(partner.zone).date()


def transfers_enabled() -> bool:
    return bool(getattr(settings, "PARTNERS_STRIPE_TRANSFERS", False))


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
    if transfers_enabled() and settlement.partner.stripe_account_id and settlement.net > 0:
        from partners.tasks import settlement_transfer_send_task

        transaction.on_commit(lambda: settlement_transfer_send_task.delay(settlement.pk))
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


# --- Stripe Connect -------------------------------------------------------------------------


class TransferTemporaryError(Exception):
    """Stripe could not be reached; the task retries later with the same idempotency key."""


def stripe_client() -> stripe.StripeClient:
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def transfer_group(settlement: Settlement) -> str:
    return f"settlement-{settlement.partner.code}-{settlement.period:%Y-%m}"


def settlement_transfer_send(
    *, settlement_id: int, client: stripe.StripeClient | None = None
) -> Settlement:
    """Transfer a closed settlement's net to the partner's connected account, once.

    The idempotency key is the settlement's, so a retry after a timeout never pays
    twice. A refusal by Stripe is recorded; a network failure is raised for retry.
    """
    settlement = Settlement.objects.select_related("partner").get(pk=settlement_id)
    if (
        settlement.status != SettlementStatus.CLOSED
        or settlement.transfer_status == TransferStatus.SENT
        or not transfers_enabled()
        or not settlement.partner.stripe_account_id
        or settlement.net <= 0
    ):
        return settlement
    client = client or stripe_client()
    try:
        transfer = client.v1.transfers.create(
            params={
                "amount": to_fen(settlement.net),
                "currency": "cny",
                "destination": settlement.partner.stripe_account_id,
                "transfer_group": transfer_group(settlement),
                "metadata": {"settlement": settlement.number},
            },
            options={"idempotency_key": f"settlement-transfer-{settlement.pk}"},
        )
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise TransferTemporaryError(str(exc)) from exc
    except stripe.StripeError as exc:
        if exc.http_status is not None and exc.http_status >= 500:
            raise TransferTemporaryError(str(exc)) from exc
        with transaction.atomic():
            Settlement.objects.filter(pk=settlement.pk).exclude(
                transfer_status=TransferStatus.SENT
            ).update(transfer_status=TransferStatus.FAILED, updated_at=timezone.now())
            event_write(
                SettlementEvent,
                settlement,
                SettlementEventType.TRANSFER_FAILED,
                data={"error": str(exc.user_message or exc)[:300]},
            )
        settlement.refresh_from_db()
        return settlement
    with transaction.atomic():
        Settlement.objects.filter(pk=settlement.pk).update(
            transfer_status=TransferStatus.SENT,
            stripe_transfer_id=transfer.id,
            updated_at=timezone.now(),
        )
        event_write(
            SettlementEvent,
            settlement,
            SettlementEventType.TRANSFER_SENT,
            data={"transfer": transfer.id, "group": transfer_group(settlement)},
        )
    settlement.refresh_from_db()
    return settlement

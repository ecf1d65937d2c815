"""Paying partners their closed settlements through Stripe Connect, when enabled."""

from __future__ import annotations

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partners.models import (
    Settlement,
    SettlementEvent,
    SettlementEventType,
    SettlementStatus,
    TransferStatus,
)
from shop.core.events import event_write
from shop.core.money import to_fen


def transfers_enabled() -> bool:
    return bool(getattr(settings, "PARTNERS_STRIPE_TRANSFERS", False))


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

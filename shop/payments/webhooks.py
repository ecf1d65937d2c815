"""Stripe webhooks: verified against the raw body, stored once, and taken only as hints.

An event never says what to do; it says which payment or refund to read again. The
payment is then synchronised from the PaymentIntent Stripe returns now, a refund from
the Refund it returns now (``refund.created``, ``refund.updated``, ``refund.failed``,
``charge.refund.updated``), so a duplicate, late or out-of-order event changes nothing
that the current truth does not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.payments.errors import InvalidWebhookSignature
from shop.payments.models import Payment, PaymentProvider, WebhookEvent
from shop.payments.providers import provider_get
from shop.payments.providers.stripe import stripe_client
from shop.payments.refund_state import refund_take
from shop.payments.services import payment_sync

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookResult:
    event_id: str
    type: str
    duplicate: bool
    payment_id: int | None
    refund_id: int | None = None


def _object(event: dict[str, Any]) -> dict[str, Any]:
    return (event.get("data") or {}).get("object") or {}


def _payment_intent_id(event: dict[str, Any]) -> str:
    obj = _object(event)
    if obj.get("object") == "payment_intent":
        return str(obj.get("id") or "")
    # Charges and refunds name their PaymentIntent (e.g. charge.refunded from the dashboard).
    intent = obj.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return str(intent or "")


def stripe_webhook_receive(*, payload: bytes, signature: str) -> WebhookResult:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret or not signature:
        raise InvalidWebhookSignature()
    try:
        event = stripe_client().construct_event(payload, signature, secret).to_dict()
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise InvalidWebhookSignature() from exc

    event_id, event_type = str(event.get("id") or ""), str(event.get("type") or "")
    if not event_id:
        raise InvalidWebhookSignature(_("The event has no id."))
    record = _event_store(event_id=event_id, event_type=event_type, event=event)
    if record.processed_at is not None:
        return WebhookResult(event_id, event_type, duplicate=True, payment_id=None)

    # Raises PaymentProviderUnavailable when Stripe cannot be read back: the event stays
    # unprocessed, we answer 503 and Stripe delivers it again later.
    obj = _object(event)
    payment_id = refund_id = None
    if obj.get("object") == "refund" and obj.get("id"):
        payment_id, refund_id = _refund_hint(str(obj["id"]))
    else:
        reference = _payment_intent_id(event)
        payment = _payment_of(reference) if reference else None
        if payment is not None:
            payment_id = payment.pk
            payment_sync(payment_id=payment.pk, payment=payment)
    if payment_id is None:
        logger.info("stripe event %s (%s) names no payment of ours", event_id, event_type)
    WebhookEvent.objects.filter(pk=record.pk, processed_at__isnull=True).update(
        processed_at=timezone.now()
    )
    return WebhookResult(event_id, event_type, False, payment_id, refund_id)


def _payment_of(intent_id: str) -> Payment | None:
    return Payment.objects.filter(
        provider=PaymentProvider.STRIPE, provider_reference=intent_id
    ).first()


def _refund_hint(reference: str) -> tuple[int | None, int | None]:
    """The Refund as Stripe has it now, applied to our refund (or recorded, when it was
    made in Stripe's dashboard). Returns the payment's id and our refund's."""
    state = provider_get(PaymentProvider.STRIPE).retrieve_refund(reference)
    payment = _payment_of(state.payment_reference) if state.payment_reference else None
    if payment is None:
        return None, None
    return payment.pk, refund_take(payment, state)


def _event_store(*, event_id: str, event_type: str, event: dict[str, Any]) -> WebhookEvent:
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                provider=PaymentProvider.STRIPE,
                event_id=event_id,
                type=event_type[:100],
                payload=event,
            )
    except IntegrityError:
        # Seen before. If it was never processed (Stripe could not be read then),
        # it is processed again: syncing is idempotent.
        return WebhookEvent.objects.get(provider=PaymentProvider.STRIPE, event_id=event_id)

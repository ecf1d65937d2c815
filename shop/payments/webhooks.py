"""Stripe webhooks: verified against the raw body, stored once, and taken only as hints.

An event never says what to do; it says which payment to read again. The payment is
then synchronised from the PaymentIntent Stripe returns now, so a duplicate, late or
out-of-order event changes nothing that the current truth does not.
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
from shop.payments.providers.stripe import stripe_client
from shop.payments.services import payment_sync

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookResult:
    event_id: str
    type: str
    duplicate: bool
    payment_id: int | None


def _payment_intent_id(event: dict[str, Any]) -> str:
    obj = (event.get("data") or {}).get("object") or {}
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

    reference = _payment_intent_id(event)
    payment_id = None
    if reference:
        payment_id = (
            Payment.objects.filter(provider=PaymentProvider.STRIPE, provider_reference=reference)
            .values_list("id", flat=True)
            .first()
        )
    if payment_id is not None:
        # Raises PaymentProviderUnavailable when Stripe cannot be read back: the event
        # stays unprocessed, we answer 503 and Stripe delivers it again later.
        payment_sync(payment_id=payment_id)
    else:
        logger.info("stripe event %s (%s) names no payment of ours", event_id, event_type)
    WebhookEvent.objects.filter(pk=record.pk, processed_at__isnull=True).update(
        processed_at=timezone.now()
    )
    return WebhookResult(event_id, event_type, duplicate=False, payment_id=payment_id)


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

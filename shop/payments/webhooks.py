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
from django.utils.translation import gettext_lazy as _

from shop.core.json_body import PayloadTooLarge, body_max_bytes, finite_float, json_body_load
from shop.payments.errors import InvalidWebhookEvent, InvalidWebhookSignature
from shop.payments.models import Payment, PaymentProvider, WebhookEvent
from shop.payments.providers import provider_get
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


@dataclass(frozen=True)
class StripeEvent:
    """What the shop reads of a Stripe event, once its shape is known to be right."""

    id: str
    type: str
    payment_intent_id: str  # "" when the event names no PaymentIntent
    refund_id: str  # the Refund an event about a refund names, else ""
    body: dict[str, Any]  # the event as it came, to store


_NAME = _("Expected a string of 1 to 100 characters.")
_OBJECT = _("Expected an object.")
_REFERENCE = _("Expected a string of at most 100 characters.")
_INTENT = _("Expected a string, an object with a string id, or null.")


def _name(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 100


def _reference(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 100


def stripe_event_parse(payload: bytes) -> StripeEvent:
    """The event in a verified body, after checking the shape of every part read here.

    The body is parsed with the shop's bounded JSON loader (shop/core/json_body.py), so a
    signed body that is too deep, not UTF-8 or holds NaN is refused like any other. The
    object in ``data.object`` may lack an id (a balance has none): only what is read must
    have the documented types, so events the shop does not act on are still taken."""
    body = json_body_load(payload, parse_float=finite_float)
    if not isinstance(body, dict):
        raise InvalidWebhookEvent(fields={"non_field_errors": [str(_OBJECT)]})
    problems = {key: [str(_NAME)] for key in ("id", "type") if not _name(body.get(key))}
    data = body.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(data, dict):
        problems["data"] = [str(_OBJECT)]
    elif not isinstance(obj, dict):
        problems["data.object"] = [str(_OBJECT)]
    else:
        problems.update(_object_problems(obj))
    if problems or not isinstance(obj, dict):
        raise InvalidWebhookEvent(fields=problems)
    return StripeEvent(
        id=body["id"],
        type=body["type"],
        payment_intent_id=_payment_intent_reference(obj),
        refund_id=str(obj.get("id") or "") if obj.get("object") == "refund" else "",
        body=body,
    )


def _object_problems(obj: dict[str, Any]) -> dict[str, list[str]]:
    problems = {
        f"data.object.{key}": [str(_REFERENCE)]
        for key in ("id", "object")
        if key in obj and not _reference(obj[key])
    }
    intent = obj.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
        if not _reference(intent):
            problems["data.object.payment_intent"] = [str(_INTENT)]
    elif intent is not None and not _reference(intent):
        problems["data.object.payment_intent"] = [str(_INTENT)]
    return problems


def _payment_intent_reference(obj: dict[str, Any]) -> str:
    if obj.get("object") == "payment_intent":
        return str(obj.get("id") or "")
    # Charges and refunds name their PaymentIntent (e.g. charge.refunded from the
    # dashboard), as an id or, expanded, as the object itself.
    intent = obj.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return str(intent or "")


def stripe_webhook_receive(*, payload: bytes, signature: str) -> WebhookResult:
    secret = settings.STRIPE_WEBHOOK_SECRET
    # Stripe's signature header is ASCII; anything else cannot be compared in constant time.
    if not secret or not signature or not signature.isascii():
        raise InvalidWebhookSignature()
    if len(payload) > body_max_bytes():
        raise PayloadTooLarge()
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, tolerance=stripe.Webhook.DEFAULT_TOLERANCE
        )
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise InvalidWebhookSignature() from exc
    event = stripe_event_parse(payload)

    record = _event_store(event)
    if record.processed_at is not None:
        return WebhookResult(event.id, event.type, duplicate=True, payment_id=None)

    # Raises PaymentProviderUnavailable when Stripe cannot be read back: the event stays
    # unprocessed, we answer 503 and Stripe delivers it again later.
    payment_id = refund_id = None
    if event.refund_id:
        payment_id, refund_id = _refund_hint(event.refund_id)
    else:
        payment = _payment_of(event.payment_intent_id) if event.payment_intent_id else None
        if payment is not None:
            payment_id = payment.pk
            payment_sync(payment_id=payment.pk, payment=payment)
    if payment_id is None:
        logger.info("stripe event %s (%s) names no payment of ours", event.id, event.type)
    WebhookEvent.objects.filter(pk=record.pk, processed_at__isnull=True).update(
        processed_at=timezone.now()
    )
    return WebhookResult(event.id, event.type, False, payment_id, refund_id)


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


def _event_store(event: StripeEvent) -> WebhookEvent:
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                provider=PaymentProvider.STRIPE,
                event_id=event.id,
                type=event.type,
                payload=event.body,
            )
    except IntegrityError:
        # Seen before. If it was never processed (Stripe could not be read then),
        # it is processed again: syncing is idempotent.
        return WebhookEvent.objects.get(provider=PaymentProvider.STRIPE, event_id=event.id)

"""WeChat Pay's and Alipay's notifications: verified with each provider's signature,
stored once by their id, and taken only as hints, exactly as Stripe's webhooks are
(webhooks.py): the payment or refund they name is read back from the provider and
what it says now is applied, so a duplicate, late, forged-then-replayed or
out-of-order notification changes nothing that the current truth does not.

WeChat Pay signs ``timestamp\\nnonce\\nbody\\n`` with its platform key (checked with its
public key or platform certificate) and encrypts the resource with the merchant's API
v3 key (AES-256-GCM); a notification older than PAYMENT_NOTIFY_MAX_AGE_SECONDS is
refused as a replay. Alipay signs the sorted form fields with RSA2.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.payments.errors import InvalidWebhookEvent, InvalidWebhookSignature
from shop.payments.models import Payment, PaymentProvider, WebhookEvent
from shop.payments.providers import provider_get
from shop.payments.refund_state import refund_take, refunds_reconcile
from shop.payments.services import payment_sync
from shop.payments.webhooks import WebhookResult

logger = logging.getLogger(__name__)


def _fresh(timestamp: str) -> bool:
    if not timestamp.isdigit():
        return False
    return abs(time.time() - int(timestamp)) <= settings.PAYMENT_NOTIFY_MAX_AGE_SECONDS


def wechatpay_notify_receive(*, headers: dict[str, Any], body: bytes) -> WebhookResult:
    """A WeChat Pay notification (payment or refund), ``headers`` as Django's META."""
    from shop.payments.providers.wechatpay import wechatpay_client

    if PaymentProvider.WECHATPAY not in _enabled():
        raise InvalidWebhookSignature()
    if not _fresh(str(headers.get("HTTP_WECHATPAY_TIMESTAMP") or "")):
        raise InvalidWebhookSignature()
    try:
        text = body.decode("utf-8")
        signed = {k: str(v) for k, v in headers.items() if k.startswith("HTTP_WECHATPAY_")}
        result = wechatpay_client().callback(signed, text)
    except Exception as exc:  # the library raises bare Exceptions for unknown algorithms
        raise InvalidWebhookSignature() from exc
    if not isinstance(result, dict):  # a bad signature, or a resource that did not decrypt
        raise InvalidWebhookSignature()
    resource = result.get("resource")
    event_id, kind = result.get("id"), result.get("event_type")
    if not isinstance(resource, dict) or not _name(event_id) or not _name(kind):
        raise InvalidWebhookEvent(fields={"resource": ["Expected a WeChat Pay notification."]})
    record = _event_store(PaymentProvider.WECHATPAY, str(event_id), str(kind), result)
    if record.processed_at is not None:
        return WebhookResult(str(event_id), str(kind), duplicate=True, payment_id=None)
    trade = str(resource.get("out_trade_no") or "")
    refund_number = str(resource.get("out_refund_no") or "")
    payment_id = refund_id = None
    if refund_number:
        payment_id, refund_id = _refund_hint(PaymentProvider.WECHATPAY, refund_number)
    elif trade:
        payment_id = _payment_hint(PaymentProvider.WECHATPAY, trade)
    _processed(record)
    return WebhookResult(str(event_id), str(kind), False, payment_id, refund_id)


def alipay_notify_receive(*, form: dict[str, str]) -> WebhookResult:
    """An Alipay asynchronous notification (a trade that moved: paid, closed, refunded)."""
    from shop.payments.providers.alipay import alipay_client

    if PaymentProvider.ALIPAY not in _enabled():
        raise InvalidWebhookSignature()
    data = dict(form)
    signature = data.pop("sign", "")
    if not signature or data.get("sign_type", "RSA2") != "RSA2":
        raise InvalidWebhookSignature()
    try:
        verified = alipay_client().verify(dict(data), signature)
    except Exception as exc:  # a signature that is not base64, an unknown sign type
        raise InvalidWebhookSignature() from exc
    if not verified or data.get("app_id") != settings.ALIPAY_APP_ID:
        raise InvalidWebhookSignature()
    event_id, trade = data.get("notify_id", ""), data.get("out_trade_no", "")
    if not _name(event_id) or not _name(trade):
        raise InvalidWebhookEvent(fields={"notify_id": ["Expected an Alipay notification."]})
    kind = str(data.get("trade_status") or data.get("notify_type") or "trade")[:100]
    record = _event_store(PaymentProvider.ALIPAY, event_id, kind, data)
    if record.processed_at is not None:
        return WebhookResult(event_id, kind, duplicate=True, payment_id=None)
    # Alipay tells of refunds in a trade's notification (refund_fee): reading the trade
    # back reads its refunds too when they differ from ours (payment_sync).
    payment_id = _payment_hint(PaymentProvider.ALIPAY, trade)
    if data.get("out_biz_no") and payment_id is not None:
        refunds_reconcile(payment=Payment.objects.get(pk=payment_id))
    _processed(record)
    return WebhookResult(event_id, kind, False, payment_id)


def _enabled() -> set[str]:
    from shop.payments.providers import providers_enabled

    return providers_enabled()


def _name(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 100


def _payment_hint(provider: str, reference: str) -> int | None:
    """Read the payment back from its provider and apply it (raises
    PaymentProviderUnavailable when it cannot be read: the notification stays
    unprocessed, we answer 503 and the provider sends it again)."""
    payment = Payment.objects.filter(provider=provider, provider_reference=reference).first()
    if payment is None:
        logger.info("%s notification names no payment of ours: %s", provider, reference)
        return None
    payment_sync(payment_id=payment.pk, payment=payment)
    return payment.pk


def _refund_hint(provider: str, reference: str) -> tuple[int | None, int | None]:
    state = provider_get(provider).retrieve_refund(reference)
    payment = Payment.objects.filter(
        provider=provider, provider_reference=state.payment_reference
    ).first()
    if payment is None or not state.payment_reference:
        return None, None
    return payment.pk, refund_take(payment, state)


def _event_store(provider: str, event_id: str, kind: str, body: dict[str, Any]) -> WebhookEvent:
    payload = json.loads(json.dumps(body, default=str))
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                provider=provider, event_id=event_id, type=kind, payload=payload
            )
    except IntegrityError:
        return WebhookEvent.objects.get(provider=provider, event_id=event_id)


def _processed(record: WebhookEvent) -> None:
    WebhookEvent.objects.filter(pk=record.pk, processed_at__isnull=True).update(
        processed_at=timezone.now()
    )

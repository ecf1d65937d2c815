"""Stripe PaymentIntents in CNY, paid by card, Alipay or WeChat Pay.

Every call has a timeout and no automatic retry (the caller decides, with the same
idempotency key); amounts go to Stripe as integer fen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shop.core.money import ZERO, from_fen, to_fen
from shop.payments.errors import (
    PaymentDeclined,
    PaymentProviderRejected,
    PaymentProviderUnavailable,
)
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from shop.payments.providers.base import (
    PaymentGateway,
    PaymentOptions,
    ProviderPayment,
    ProviderPaymentState,
    ProviderRefundState,
    payment_cancel_idempotency_key,
    payment_idempotency_key,
    refund_idempotency_key,
)

logger = logging.getLogger(__name__)

PAYMENT_METHOD_TYPES = ["card", "alipay", "wechat_pay"]

# A refund is the shopper's money only once Stripe says "succeeded": Alipay and WeChat
# Pay refunds stay pending for a while, and a pending refund can still fail.
_REFUND_STATUS = {
    "succeeded": RefundStatus.SUCCEEDED,
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}


# What a shopper is told of a declined card, by Stripe's error or decline code: Stripe's
# own text is in English only. Any other decline gets PaymentDeclined's message.
_DECLINE_MESSAGES = {
    "insufficient_funds": _(
        "The card has insufficient funds. Please try another card or payment method."
    ),
    "expired_card": _("The card has expired. Please try another card or payment method."),
    "incorrect_cvc": _("The card's security code is incorrect."),
    "invalid_cvc": _("The card's security code is incorrect."),
    "incorrect_number": _("The card number is incorrect."),
    "invalid_number": _("The card number is incorrect."),
    "invalid_expiry_month": _("The card's expiry date is not valid."),
    "invalid_expiry_year": _("The card's expiry date is not valid."),
    "processing_error": _("The card could not be processed. Please try again."),
}


def stripe_client() -> stripe.StripeClient:
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


@contextmanager
def stripe_errors() -> Iterator[None]:
    """Stripe's errors in the shop's terms: what the shopper can fix, and what broke."""
    try:
        yield
    except stripe.CardError as exc:
        code = getattr(exc, "code", None) or ""
        reason = getattr(getattr(exc, "error", None), "decline_code", None) or code
        raise PaymentDeclined(_DECLINE_MESSAGES.get(reason), decline_code=code) from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        logger.warning("stripe unavailable: %s", exc)
        raise PaymentProviderUnavailable() from exc
    except stripe.StripeError as exc:
        if exc.http_status is None or exc.http_status >= 500:
            logger.warning("stripe failed: %s", exc)
            raise PaymentProviderUnavailable() from exc
        logger.error("stripe refused: %s", exc)
        raise PaymentProviderRejected() from exc


# A PaymentIntent waiting for a new payment method after a failed attempt is "failed"
# for us; the shopper may still retry it, and a later success is then applied.
def _intent_status(intent: dict[str, Any]) -> str:
    status = intent.get("status")
    if status == "succeeded":
        return PaymentStatus.SUCCEEDED
    if status == "canceled":
        return PaymentStatus.CANCELLED
    if status == "requires_payment_method" and intent.get("last_payment_error"):
        return PaymentStatus.FAILED
    return PaymentStatus.PENDING


def _charge_money(intent: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """The fee Stripe kept (when settled in CNY) and what was refunded, from the charge."""
    charge = intent.get("latest_charge")
    if not isinstance(charge, dict):
        return ZERO, ZERO
    refunded = from_fen(int(charge.get("amount_refunded") or 0))
    transaction = charge.get("balance_transaction")
    fee = ZERO
    if isinstance(transaction, dict) and str(transaction.get("currency", "")).lower() == "cny":
        fee = from_fen(int(transaction.get("fee") or 0))
    return fee, refunded


class StripeGateway(PaymentGateway):
    name = "stripe"

    def __init__(self, client: stripe.StripeClient | None = None) -> None:
        self.client = client or stripe_client()

    def create_payment(
        self, payment: Payment, options: PaymentOptions | None = None
    ) -> ProviderPayment:
        params: Any = {
            "amount": to_fen(payment.amount),
            "currency": payment.currency.lower(),
            "payment_method_types": PAYMENT_METHOD_TYPES,
            "payment_method_options": {"wechat_pay": {"client": "web"}},
            "description": f"Order {payment.order.number}",
            "metadata": {"order_number": payment.order.number, "payment_id": str(payment.pk)},
        }
        with stripe_errors():
            intent = self.client.v1.payment_intents.create(
                params=params, options={"idempotency_key": payment_idempotency_key(payment)}
            )
        data = intent.to_dict()
        return ProviderPayment(
            reference=data["id"],
            client_secret=data.get("client_secret") or "",
        )

    def retrieve(self, reference: str) -> ProviderPaymentState:
        with stripe_errors():
            intent = self.client.v1.payment_intents.retrieve(
                reference, params={"expand": ["latest_charge.balance_transaction"]}
            )
        return _intent_state(intent.to_dict())

    def cancel_payment(self, payment: Payment) -> ProviderPaymentState:
        try:
            with stripe_errors():
                intent = self.client.v1.payment_intents.cancel(
                    payment.provider_reference,
                    options={"idempotency_key": payment_cancel_idempotency_key(payment)},
                )
        except PaymentProviderRejected:
            # Stripe refuses to cancel an intent that succeeded (or was cancelled) meanwhile:
            # what it is now is the answer.
            return self.retrieve(payment.provider_reference)
        return _intent_state(intent.to_dict())

    def refund(self, payment: Payment, refund: Refund) -> ProviderRefundState:
        params: Any = {
            "payment_intent": payment.provider_reference,
            "amount": to_fen(refund.amount),
            "metadata": {"refund_id": str(refund.pk), "payment_id": str(payment.pk)},
        }
        with stripe_errors():
            created = self.client.v1.refunds.create(
                params=params, options={"idempotency_key": refund_idempotency_key(refund)}
            )
        return _refund_state(created.to_dict())

    def retrieve_refund(self, reference: str) -> ProviderRefundState:
        with stripe_errors():
            found = self.client.v1.refunds.retrieve(reference)
        return _refund_state(found.to_dict())

    def refunds_list(self, payment_reference: str) -> list[ProviderRefundState]:
        with stripe_errors():
            page = self.client.v1.refunds.list(
                params={"payment_intent": payment_reference, "limit": 100}
            )
        return [_refund_state(item.to_dict()) for item in page.data]


def _intent_state(data: dict[str, Any]) -> ProviderPaymentState:
    fee, refunded = _charge_money(data)
    error = data.get("last_payment_error") or {}
    status = _intent_status(data)
    # What the shopper paid, once they did: a PaymentIntent can be updated before it is
    # confirmed, or captured for less than its amount.
    fen = data.get("amount_received") if status == PaymentStatus.SUCCEEDED else None
    return ProviderPaymentState(
        reference=data["id"],
        status=status,
        amount=from_fen(int(fen if fen is not None else data["amount"])),
        currency=str(data.get("currency", "")).upper(),
        fee=fee,
        amount_refunded=refunded,
        failure_code=str(error.get("decline_code") or error.get("code") or "")[:64],
        failure_message=str(error.get("message") or "")[:255],
    )


def _refund_state(data: dict[str, Any]) -> ProviderRefundState:
    metadata = data.get("metadata") or {}
    ours = str(metadata.get("refund_id") or "")
    intent = data.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return ProviderRefundState(
        reference=str(data["id"]),
        status=_REFUND_STATUS.get(str(data.get("status")), RefundStatus.PENDING),
        amount=from_fen(int(data.get("amount") or 0)),
        payment_reference=str(intent or ""),
        refund_id=int(ours) if ours.isdigit() else None,
        failure_code=str(data.get("failure_reason") or "")[:64],
    )

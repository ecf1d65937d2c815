"""What the shop needs from a payment provider, whichever it is.

Every provider is asked the same way: over its API, never inside the shop's
transactions or under their locks. Every call is safe to repeat: creates, cancels and
refunds carry an idempotency key derived from our own ids, so a retry after a timeout
never charges, cancels or refunds twice.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from shop.core.money import ZERO

if TYPE_CHECKING:
    from shop.payments.models import Payment, Refund


@dataclass(frozen=True)
class PaymentOptions:
    """What the storefront's page asks for: ``scene`` (WeChat Pay ``jsapi``, ``h5`` or
    ``native``; Alipay ``page`` or ``wap``; "" for providers with one way), the WeChat
    ``openid`` of the payer (JSAPI) and the shopper's IP address (H5)."""

    scene: str = ""
    openid: str = ""
    client_ip: str = ""


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider created it; the shopper completes it with the client
    secret (Stripe) or with ``action``: what the page needs (prepay parameters signed
    for WeChat's JSAPI, a URL to send the shopper to, a QR code string)."""

    reference: str
    client_secret: str
    action: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderPaymentState:
    """The provider's truth about a payment, read back whenever we are told something moved.

    ``amount`` and ``currency``: what the provider captured once it succeeded (Stripe's
    ``amount_received``), what it was asked for before."""

    reference: str
    status: str  # a PaymentStatus value
    amount: Decimal
    currency: str
    fee: Decimal = ZERO
    amount_refunded: Decimal = ZERO  # pending and succeeded refunds, as Stripe counts them
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class ProviderRefundState:
    """The provider's truth about one refund."""

    reference: str
    status: str  # a RefundStatus value: Stripe's "canceled" is failed for the shop
    amount: Decimal
    payment_reference: str
    refund_id: int | None = None  # the shop's refund it was made for (None: made elsewhere)
    failure_code: str = ""
    # The share of the payment's fee given back, where the provider's answer says it
    # (WeChat Pay's ``amount.refund_fee``); None: the provider's fee rule decides
    # (shop/payments/refund_fees.py).
    fee: Decimal | None = None


def payment_idempotency_key(payment: Payment) -> str:
    return f"payment-{payment.pk}-create"


def payment_cancel_idempotency_key(payment: Payment) -> str:
    return f"payment-{payment.pk}-cancel"


def refund_idempotency_key(refund: Refund) -> str:
    return f"refund-{refund.pk}-create"


class PaymentGateway(ABC):
    """One payment provider. Errors are raised as ``shop.payments.errors`` classes:
    ``PaymentDeclined`` for what the shopper can fix, ``PaymentProviderUnavailable``
    when the provider did not answer (the outcome is unknown, retry with the same key),
    ``PaymentProviderRejected`` when it answered no for any other reason."""

    name: str

    @abstractmethod
    def create_payment(
        self, payment: Payment, options: PaymentOptions | None = None
    ) -> ProviderPayment: ...

    @abstractmethod
    def retrieve(self, reference: str) -> ProviderPaymentState: ...

    @abstractmethod
    def cancel_payment(self, payment: Payment) -> ProviderPaymentState:
        """Cancel a payment nobody completed; one that succeeded meanwhile is answered
        as it is (the caller applies it like any other state)."""

    @abstractmethod
    def refund(self, payment: Payment, refund: Refund) -> ProviderRefundState: ...

    @abstractmethod
    def retrieve_refund(self, reference: str) -> ProviderRefundState: ...

    @abstractmethod
    def refunds_list(self, payment_reference: str) -> list[ProviderRefundState]:
        """Every refund of a payment, including those made at the provider directly."""

    def trade_bill(self, bill_date: str) -> bytes:
        """The provider's bill of a day (YYYY-MM-DD) as it writes it, for the daily
        reconciliation; providers without one refuse."""
        from shop.payments.errors import PaymentProviderRejected

        raise PaymentProviderRejected()

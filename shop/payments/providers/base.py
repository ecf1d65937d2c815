"""What the shop needs from a payment provider, whichever it is.

Every call is safe to repeat: creates and refunds carry an idempotency key derived
from our own ids, so a retry after a timeout never charges or refunds twice.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from shop.core.money import ZERO

if TYPE_CHECKING:
    from shop.payments.models import Payment, Refund


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider created it; the shopper completes it with the client secret."""

    reference: str
    client_secret: str
    status: str  # a PaymentStatus value


@dataclass(frozen=True)
class ProviderPaymentState:
    """The provider's truth about a payment, read back whenever we are told something moved."""

    reference: str
    status: str  # a PaymentStatus value
    amount: Decimal
    currency: str
    fee: Decimal = ZERO
    amount_refunded: Decimal = ZERO
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class ProviderRefund:
    reference: str
    status: str  # a RefundStatus value


def payment_idempotency_key(payment: Payment) -> str:
    return f"payment-{payment.pk}-create"


def refund_idempotency_key(refund: Refund) -> str:
    return f"refund-{refund.pk}-create"


class PaymentGateway(ABC):
    """One payment provider. Errors are raised as ``shop.payments.errors`` classes:
    ``PaymentDeclined`` for what the shopper can fix, ``PaymentProviderUnavailable``
    when the provider did not answer (the outcome is unknown, retry with the same key),
    ``PaymentProviderRejected`` when it answered no for any other reason."""

    name: str
    # True for a provider that answers from this process without the network (the fake
    # one): it may then be asked inside the shop's own transactions, under their locks.
    in_process: bool = False

    @abstractmethod
    def create_payment(self, payment: Payment) -> ProviderPayment: ...

    @abstractmethod
    def retrieve(self, reference: str) -> ProviderPaymentState: ...

    @abstractmethod
    def refund(self, payment: Payment, refund: Refund) -> ProviderRefund: ...

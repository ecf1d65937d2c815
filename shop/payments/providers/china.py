"""What WeChat Pay and Alipay share in the shop: the fee rule, our trade and refund
numbers, and reading refunds back one by one (neither provider lists a payment's
refunds nor counts them in its answer to a payment query)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db.models import Sum

from shop.core.money import CENT, ZERO
from shop.payments.models import Payment, Refund, RefundStatus

REFUND_MARK = "R"


def pem_text(value: str) -> str:
    """A key setting as PEM text: given inline, or as the path of the file holding it
    (as merchants receive them: apiclient_key.pem, the platform public key)."""
    value = value.strip()
    if value and not value.startswith("-----") and "\n" not in value:
        path = Path(value)
        if path.is_file():
            return path.read_text()
    return value


def fee_by_rate(amount: Decimal, rate: str | Decimal) -> Decimal:
    """The provider's fee on a payment: a rate of its amount, rounded half up to the fen
    (both providers' rule for a standard merchant)."""
    return (amount * Decimal(str(rate))).quantize(CENT, rounding=ROUND_HALF_UP)


def trade_number(prefix: str, payment_id: int) -> str:
    """Our trade number for a payment (WeChat Pay's and Alipay's ``out_trade_no``): the
    same for every attempt, so a retry never creates a second trade."""
    return f"{prefix}{payment_id}"


def refund_number(prefix: str, refund_id: int) -> str:
    """Our refund number (``out_refund_no``, Alipay's ``out_request_no``)."""
    return f"{prefix}{REFUND_MARK}{refund_id}"


def refund_id_of(prefix: str, number: str) -> int | None:
    tail = number.removeprefix(f"{prefix}{REFUND_MARK}")
    return int(tail) if tail != number and tail.isdigit() else None


def payment_id_of(prefix: str, number: str) -> int | None:
    tail = number.removeprefix(prefix)
    return int(tail) if tail != number and tail.isdigit() else None


def shop_refunded(provider: str, reference: str) -> Decimal:
    """What the shop counts refunded of a payment (pending and succeeded refunds): the
    providers' payment queries do not say, so their refunds are followed one by one
    (their notifications and the pending-refunds sweep) and the payment is answered as
    agreeing with us on this."""
    found = (
        Payment.objects.filter(provider=provider, provider_reference=reference)
        .values_list("amount_refunded", flat=True)
        .first()
    )
    return found if found is not None else ZERO


def refund_numbers_of(provider: str, reference: str) -> list[str]:
    """Our refund references of a payment, those the provider has answered for."""
    return list(
        Refund.objects.filter(payment__provider=provider, payment__provider_reference=reference)
        .exclude(provider_reference="")
        .order_by("pk")
        .values_list("provider_reference", flat=True)
    )


def refunds_total(provider: str, reference: str) -> Decimal:
    """Succeeded refunds of a payment in the shop (for reconciliation)."""
    total = Refund.objects.filter(
        payment__provider=provider,
        payment__provider_reference=reference,
        status=RefundStatus.SUCCEEDED,
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO

"""The share of a payment's fee a refund gives back.

WeChat Pay and Alipay charge their fee on what a shopper paid and give back the fee of
what is refunded: their bills show a refund row's fee as the share returned. The shop
records it on the refund (``Refund.fee_returned``) when the refund succeeds, under the
payment's lock, and the partners' ledger gives it back to whoever bore the payment's fee
(partners/ledger/fee_returns.py).

- Where the provider's answer says what it gave back (WeChat Pay's ``refund_fee``), that
  is taken.
- Else the provider's fee rule: the rate of the refunded amount, half up to the fen;
  the refund that makes the payment refunded in full gets back all that is left, so a
  full refund, in one go or in several, returns exactly the whole fee.
- Never more than is left of the payment's fee after the refunds that succeeded before.

Stripe keeps its fee when a payment is refunded (and the offline fake provider charges
none), so their refunds return nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from shop.core.money import ZERO
from shop.payments.models import Payment, PaymentProvider, Refund, RefundStatus
from shop.payments.providers.china import fee_by_rate

# The providers that give a refund's fee back, and the setting holding their rate.
FEE_RATE_SETTINGS = {
    PaymentProvider.WECHATPAY: "WECHATPAY_FEE_RATE",
    PaymentProvider.ALIPAY: "ALIPAY_FEE_RATE",
}


def refund_fee_returned(payment: Payment, refund: Refund, reported: Decimal | None) -> Decimal:
    """What ``refund`` gives back of ``payment``'s fee as it succeeds; the caller holds
    the payment's lock, so the refunds that succeeded before it are settled."""
    setting = FEE_RATE_SETTINGS.get(PaymentProvider(payment.provider))
    if setting is None:
        return ZERO
    before = (
        Refund.objects.filter(payment=payment, status=RefundStatus.SUCCEEDED)
        .exclude(pk=refund.pk)
        .aggregate(amount=Sum("amount"), fee=Sum("fee_returned"))
    )
    left = max(payment.fee - (before["fee"] or ZERO), ZERO)
    captured = payment.confirmed_amount if payment.confirmed_amount is not None else payment.amount
    if reported is not None:
        fee = reported
    elif (before["amount"] or ZERO) + refund.amount >= captured:
        fee = left
    else:
        fee = fee_by_rate(refund.amount, getattr(settings, setting))
    return min(max(fee, ZERO), left)

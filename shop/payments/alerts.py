"""Telling staff about money that needs a person: a payment held for review, a refund
that failed. Each is an order event (written by the caller), a log line at ERROR, a
metric, and an e-mail to the staff of the partner that owns the order's channel."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shop.accounts.selectors import partner_alert_recipients
from shop.core import metrics
from shop.core.tasks import enqueue_on_commit
from shop.orders.models import Order
from shop.payments.models import Payment, PaymentAlert, Refund

logger = logging.getLogger(__name__)

PAYMENT_REVIEW = "payment-review"
REFUND_FAILED = "refund-failed"

_SUBJECTS = {
    PAYMENT_REVIEW: _("Payment held for review: order %(number)s"),
    REFUND_FAILED: _("Refund failed: order %(number)s"),
}
_BODIES = {
    PAYMENT_REVIEW: _(
        "The payment provider confirmed %(confirmed)s for order %(number)s, which asked for"
        " %(asked)s. The order is not paid and nothing is booked for the partners until"
        " staff accept or return the payment (admin: Payments, filter “Held for review”)."
    ),
    REFUND_FAILED: _(
        "The refund of %(asked)s for order %(number)s failed at the payment provider"
        " (%(code)s). The shopper did not get this money back; the amount can be refunded"
        " again."
    ),
}


def payment_review_alert(payment: Payment, order: Order) -> None:
    """Inside the transaction that holds the payment for review."""
    logger.error(
        "payment %s of order %s held for review: the provider confirmed %s %s, we asked %s %s",
        payment.pk,
        order.number,
        payment.confirmed_amount,
        payment.confirmed_currency,
        payment.amount,
        payment.currency,
    )
    provider = payment.provider
    transaction.on_commit(lambda: metrics.payment_held_for_review(provider))
    enqueue_on_commit("payments.payment_alert_send", PAYMENT_REVIEW, payment.pk)


def refund_failed_alert(refund: Refund, order: Order, *, provider: str, code: str) -> None:
    """Inside the transaction that records the failure."""
    logger.error(
        "refund %s of %s for order %s failed at %s: %s",
        refund.pk,
        refund.amount,
        order.number,
        provider,
        code,
    )
    transaction.on_commit(lambda: metrics.refund_failed(provider))
    enqueue_on_commit("payments.payment_alert_send", REFUND_FAILED, refund.pk)


def payment_alert_send(*, kind: str, subject_id: int) -> bool:
    """Send one alert e-mail once (False when sent before or when nobody is there to tell).
    The alert row is written in the transaction that sends, so a failed send is retried
    and a repeated one sends nothing."""
    if kind == PAYMENT_REVIEW:
        payment = Payment.objects.select_related("order__channel__owner").get(pk=subject_id)
        order = payment.order
        details = {
            "number": order.number,
            "confirmed": f"{payment.confirmed_amount} {payment.confirmed_currency}",
            "asked": f"{payment.amount} {payment.currency}",
        }
    elif kind == REFUND_FAILED:
        refund = Refund.objects.select_related("order__channel__owner").get(pk=subject_id)
        order = refund.order
        details = {
            "number": order.number,
            "asked": f"{refund.amount} {refund.currency}",
            "code": refund.failure_code or refund.confirmed_status or "-",
        }
    else:
        raise ValueError(f"no payment alert of kind {kind!r}")
    recipients = partner_alert_recipients(order.channel.owner)
    if not recipients:
        logger.warning("%s %s: nobody to tell at the order's partner", kind, subject_id)
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                PaymentAlert.objects.create(
                    key=f"{kind}:{subject_id}", order=order, recipients=recipients
                )
        except IntegrityError:
            return False
        send_mail(
            str(_SUBJECTS[kind] % details),
            str(_BODIES[kind] % details),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    return True

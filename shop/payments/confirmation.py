"""Applying what the provider confirms about a payment.

The provider is the source of truth. Whatever tells us a payment moved (the shopper at
the fake provider, a Stripe webhook, a periodic sweep) only makes us read the provider
again and apply its answer under the locks of the order and its payments (order first,
then payments in id order), so a duplicate, late or out-of-order hint never pays,
fulfils or refunds twice.

A payment is paid only for what the provider confirms: a success for another amount or
currency than asked holds the payment for staff review (shop/payments/review.py) and
books nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.core import metrics
from shop.core.db import transaction_retry
from shop.core.hooks import hooks
from shop.core.tasks import enqueue_on_commit
from shop.orders.cancellation import order_cancel_for_lost_stock
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.paid import order_mark_paid
from shop.orders.services import order_event_write
from shop.payments.alerts import payment_review_alert
from shop.payments.kept_writes import CONFIRMED_FIELDS, payment_outcome_save
from shop.payments.locks import order_payments_lock
from shop.payments.models import Payment, PaymentStatus
from shop.payments.providers.base import ProviderPaymentState
from shop.payments.refund_state import refund_reserve

logger = logging.getLogger(__name__)

# A payment cancelled with one of these was succeeded at the provider and is being (or
# was) given back in full: it never pays anything again.
RETURNED_CODES = frozenset({"duplicate", "returned"})
_CONFIRMED_FIELDS = list(CONFIRMED_FIELDS)

REVIEW_MESSAGE = _(
    "The payment provider confirmed %(confirmed)s instead of %(asked)s; our staff are"
    " checking the payment and the order is held meanwhile."
)


@dataclass(frozen=True)
class Applied:
    payment: Payment  # as stored when applying committed, its order too
    to_send: list[int]  # refunds to send once applying has committed
    refunds_differ: bool  # the provider counts other refunds than we do: read them back


def confirmed_set(payment: Payment, state: ProviderPaymentState) -> bool:
    """Put the provider's word on the payment (not saved); whether it changed."""
    new = (state.status, state.amount, state.currency)
    old = (payment.confirmed_status, payment.confirmed_amount, payment.confirmed_currency)
    if new == old:
        return False
    payment.confirmed_status, payment.confirmed_amount, payment.confirmed_currency = new
    payment.confirmed_at = timezone.now()
    return True


def differs_from_asked(payment: Payment, state: ProviderPaymentState) -> bool:
    return state.amount != payment.amount or state.currency != payment.currency


# What applying a provider's state reads of the order and its channel, whatever the
# outcome: marking it paid and its ledger entries, a review, a refund, the payer's answer
# (one left out is read when first used, by a query of its own).
ORDER_APPLIED_FIELDS = (
    "id",
    "number",
    "status",
    "currency",
    "total",
    "discount",
    "shipping_price",
    "amount_paid",
    "amount_refunded",
    "expires_at",
    "created_at",
    "channel__code",
    "channel__owner",
    "channel__commission_rate",
)


# Applying reads the provider's state anew under the locks, so after a deadlock with a
# concurrent sync (a webhook storm) the whole transaction can simply run again.
@transaction_retry
@transaction.atomic
def payment_apply(*, payment_id: int, order_id: int, state: ProviderPaymentState) -> Applied:
    """Apply the provider's state (``order_id`` is the payment's order, which never
    changes)."""
    # The order, then every payment of it in id order: whether another one already paid
    # it is then known without asking again.
    order, payments = order_payments_lock(order_id, order_fields=ORDER_APPLIED_FIELDS)
    payment = next(p for p in payments if p.pk == payment_id)
    refunds_differ = state.amount_refunded != payment.amount_refunded
    confirmed_changed = confirmed_set(payment, state)
    to_send: list[int] = []
    saved = True
    if state.status == PaymentStatus.SUCCEEDED and payment.status not in (
        PaymentStatus.SUCCEEDED,
        PaymentStatus.REVIEW,
    ):
        if payment.status == PaymentStatus.CANCELLED and payment.failure_code in RETURNED_CODES:
            saved = False  # already given back as a payment the order cannot take
        elif differs_from_asked(payment, state):
            payment_hold_for_review(order, payment, state)
        else:
            already_paid = any(
                p.status == PaymentStatus.SUCCEEDED for p in payments if p.pk != payment_id
            )
            to_send = _payment_succeeded(order, payment, state, already_paid=already_paid)
    elif (
        state.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED)
        and payment.status == PaymentStatus.PENDING
    ):
        _payment_failed(order, payment, state)
    else:
        saved = False
    if not saved and confirmed_changed:
        payment.save(update_fields=[*_CONFIRMED_FIELDS, "updated_at"])
    return Applied(payment=payment, to_send=to_send, refunds_differ=refunds_differ)


def _payment_succeeded(
    order: Order, payment: Payment, state: ProviderPaymentState, *, already_paid: bool
) -> list[int]:
    """``already_paid``: another payment of the order succeeded before this one."""
    payment.fee = state.fee
    payment.succeeded_at = timezone.now()
    payment.failure_message = ""
    if already_paid:
        # A second payment for the same order (the shopper paid in two tabs or after
        # switching provider): it never counts; the money goes back in full.
        payment.status = PaymentStatus.CANCELLED
        payment.failure_code = "duplicate"
        payment.failure_message = "The order was already paid by another payment."
        _payment_save(payment)
        refund = refund_reserve(
            order=order, payment=payment, amount=state.amount, reason="duplicate payment"
        )
        order_event_write(
            order,
            OrderEventType.NOTE,
            data={"note": "second payment returned", "payment_id": payment.pk},
        )
        return [refund.pk]

    payment.status = PaymentStatus.SUCCEEDED
    payment.failure_code = ""
    _payment_save(payment)
    outcome = order_mark_paid(order_id=order.pk, amount=state.amount, locked=order)
    if outcome.newly_paid:
        hooks().payment_captured(payment=payment, first=True)
        enqueue_on_commit("fulfillment.order_paid", order.pk)
        return []

    # The money came for an order that can no longer take it: its stock was sold
    # meanwhile, or it was cancelled. It is returned in full; the order is not paid.
    reason = "stock unavailable" if outcome.stock_lost else f"order {order.status}"
    refund = refund_reserve(order=order, payment=payment, amount=state.amount, reason=reason)
    if outcome.stock_lost:
        order_cancel_for_lost_stock(order_id=order.pk)
    else:
        order_event_write(
            order,
            OrderEventType.NOTE,
            data={"note": "payment for an order that cannot be paid", "payment_id": payment.pk},
        )
    return [refund.pk]


def _payment_save(payment: Payment) -> None:
    payment_outcome_save(payment)


def payment_hold_for_review(order: Order, payment: Payment, state: ProviderPaymentState) -> None:
    """The provider took another amount or currency than the order asked for: nothing is
    paid or booked; the order keeps its stock while staff decide (review.py)."""
    payment.status = PaymentStatus.REVIEW
    payment.failure_code = (
        "currency_differs" if state.currency != payment.currency else "amount_differs"
    )
    details = {
        "confirmed": f"{state.amount} {state.currency}",
        "asked": f"{payment.amount} {payment.currency}",
    }
    payment.failure_message = str(REVIEW_MESSAGE % details)[:255]
    payment.fee = state.fee
    payment.succeeded_at = timezone.now()
    _payment_save(payment)
    held_until = _order_hold_extend(order)
    order_event_write(
        order,
        OrderEventType.PAYMENT_REVIEW,
        data={
            "payment_id": payment.pk,
            "reason": payment.failure_code,
            "confirmed_amount": str(state.amount),
            "confirmed_currency": state.currency,
            "asked_amount": str(payment.amount),
            "asked_currency": payment.currency,
            "held_until": held_until.isoformat() if held_until else None,
        },
    )
    payment_review_alert(payment, order)


def _order_hold_extend(order: Order) -> Any:
    """Keep an unpaid order and its stock while staff look at its payment: the order's
    expiry and its active holds move to SHOP_PAYMENT_REVIEW_HOLD_HOURS from now (never
    earlier than they were), so neither the expiry sweep nor the holds' sweep takes them
    meanwhile. Units whose hold lapsed before are held again when staff accept
    (order_mark_paid does). Returns the new expiry, None for an order no longer waiting."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        return None
    now = timezone.now()
    until = now + timedelta(hours=settings.SHOP_PAYMENT_REVIEW_HOLD_HOURS)
    if order.expires_at is not None and order.expires_at > until:
        until = order.expires_at
    Order.objects.filter(pk=order.pk).update(expires_at=until, updated_at=now)
    order.expires_at = until
    Reservation.objects.filter(
        order_line__order_id=order.pk, status=ReservationStatus.ACTIVE, expires_at__lt=until
    ).update(expires_at=until, updated_at=now)
    return until


def _payment_failed(order: Order, payment: Payment, state: ProviderPaymentState) -> None:
    payment.status = state.status
    payment.failure_code = state.failure_code
    payment.failure_message = state.failure_message
    payment.save(
        update_fields=[
            "status",
            "failure_code",
            "failure_message",
            *_CONFIRMED_FIELDS,
            "updated_at",
        ]
    )
    order_event_write(
        order,
        OrderEventType.PAYMENT_FAILED,
        data={
            "payment_id": payment.pk,
            "status": state.status,
            "failure_code": state.failure_code,
        },
    )
    transaction.on_commit(lambda: metrics.payment_failed(payment.provider))

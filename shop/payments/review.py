"""Staff settle a payment held for review (the provider confirmed another amount or
currency than the order asked for), from the admin or the staff API.

- *accept*: the provider is read again; the order is paid for the confirmed amount
  only when it is the order's total in its currency and the order can still be paid
  (the ledger books it then, as any payment). Otherwise the money is returned.
- *return*: the confirmed amount is refunded in full and the order, still unpaid, is
  cancelled, its stock given back.

Either way the decision is an order event, and nothing reaches the ledger before it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shop.core.db import transaction_retry
from shop.core.errors import InvalidInput, ShopError
from shop.core.hooks import hooks
from shop.core.tasks import enqueue_on_commit
from shop.orders.cancellation import order_cancel_for_lost_stock, order_cancel_unpaid
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.paid import order_mark_paid
from shop.orders.services import order_event_write
from shop.payments.confirmation import confirmed_set
from shop.payments.errors import PaymentNotFound, PaymentNotInReview
from shop.payments.locks import order_payments_lock
from shop.payments.models import Payment, PaymentStatus
from shop.payments.providers import provider_get
from shop.payments.providers.base import ProviderPaymentState
from shop.payments.refund_state import refund_reserve, refund_send

logger = logging.getLogger(__name__)

RETURNED_MESSAGE = _("This payment was returned to you in full.")

ACCEPT = "accept"
RETURN = "return"
REVIEW_DECISIONS = (ACCEPT, RETURN)


def payment_review_resolve(*, payment_id: int, decision: str, user: Any, note: str = "") -> Payment:
    """Settle a payment held for review (the caller checks the user is staff)."""
    if decision not in REVIEW_DECISIONS:
        raise InvalidInput(fields={"decision": [str(_("Choose accept or return."))]})
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise PaymentNotFound()
    if payment.status != PaymentStatus.REVIEW:
        raise PaymentNotInReview(fields={"status": [payment.status]})
    # What the provider holds now decides, read before any lock is taken.
    state = provider_get(payment.provider).retrieve(payment.provider_reference)
    resolved = _review_apply(
        payment_id=payment.pk,
        order_id=payment.order_id,
        state=state,
        decision=decision,
        user=user,
        note=note[:255],
    )
    if resolved.refund_id is not None:
        try:
            refund_send(refund_id=resolved.refund_id)
        except ShopError as exc:
            # Returned either way: a refund the provider cannot take now is sent again
            # by the sweep; one it refuses is shown failed and alerted.
            logger.warning("review of payment %s: refund: %s", payment_id, exc.code)
    return Payment.objects.select_related("order").get(pk=payment_id)


@dataclass(frozen=True)
class _Resolved:
    outcome: str  # "paid" or "returned"
    refund_id: int | None = None


@transaction_retry
@transaction.atomic
def _review_apply(
    *,
    payment_id: int,
    order_id: int,
    state: ProviderPaymentState,
    decision: str,
    user: Any,
    note: str,
) -> _Resolved:
    order, payments = order_payments_lock(order_id)
    payment = next(p for p in payments if p.pk == payment_id)
    if payment.status != PaymentStatus.REVIEW:  # settled by someone else meanwhile
        raise PaymentNotInReview(fields={"status": [payment.status]})
    confirmed_set(payment, state)
    payment.fee = state.fee
    reason = _why_not_paid(order, payments, payment, state, decision)
    if reason is None:
        outcome = order_mark_paid(order_id=order.pk, amount=state.amount, user=user, locked=order)
        if outcome.newly_paid:
            _payment_status_set(payment, PaymentStatus.SUCCEEDED, "", "")
            hooks().payment_captured(payment=payment, first=True)
            enqueue_on_commit("fulfillment.order_paid", order.pk)
            _reviewed_event(order, payment, decision, "paid", user=user, note=note)
            return _Resolved("paid")
        reason = "stock unavailable" if outcome.stock_lost else f"order {order.status}"
        if outcome.stock_lost:
            order_cancel_for_lost_stock(order_id=order.pk)
            order.refresh_from_db(fields=["status"])
    return _payment_return(order, payment, state, decision, reason, user=user, note=note)


def _why_not_paid(
    order: Order,
    payments: list[Payment],
    payment: Payment,
    state: ProviderPaymentState,
    decision: str,
) -> str | None:
    """Why accepting cannot pay the order (None: it can)."""
    if decision == RETURN:
        return "returned by staff"
    if state.status != PaymentStatus.SUCCEEDED:
        return f"the provider reports it {state.status}"
    if state.currency != order.currency or state.amount != order.total:
        confirmed = f"{state.amount} {state.currency}"
        return f"confirmed {confirmed}, the order is {order.total} {order.currency}"
    if any(p.status == PaymentStatus.SUCCEEDED for p in payments if p.pk != payment.pk):
        return "the order was paid by another payment"
    if order.status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED):
        return f"order {order.status}"
    return None


def _payment_return(
    order: Order,
    payment: Payment,
    state: ProviderPaymentState,
    decision: str,
    reason: str,
    *,
    user: Any,
    note: str,
) -> _Resolved:
    """The confirmed amount goes back in full; an order still waiting for it is cancelled."""
    # The shopper sees the message; why it was returned is in the order event.
    _payment_status_set(payment, PaymentStatus.CANCELLED, "returned", str(RETURNED_MESSAGE))
    refund_id = None
    captured = payment.confirmed_amount or payment.amount
    if state.status == PaymentStatus.SUCCEEDED and captured > payment.amount_refunded:
        refund = refund_reserve(
            order=order,
            payment=payment,
            amount=captured - payment.amount_refunded,
            reason=f"payment returned after review: {reason}",
            user=user,
        )
        refund_id = refund.pk
    _reviewed_event(
        order, payment, decision, "returned", user=user, note=note, reason=reason, refund=refund_id
    )
    if order.status == OrderStatus.PENDING_PAYMENT:
        order_cancel_unpaid(order=order, user=user, reason=f"payment returned: {reason}")
    return _Resolved("returned", refund_id)


def _payment_status_set(payment: Payment, status: str, code: str, message: str) -> None:
    payment.status = status
    payment.failure_code = code
    payment.failure_message = message[:255]
    payment.save(
        update_fields=[
            "status",
            "failure_code",
            "failure_message",
            "fee",
            "confirmed_status",
            "confirmed_amount",
            "confirmed_currency",
            "confirmed_at",
            "updated_at",
        ]
    )


def _reviewed_event(
    order: Order,
    payment: Payment,
    decision: str,
    outcome: str,
    *,
    user: Any,
    note: str,
    reason: str = "",
    refund: int | None = None,
) -> None:
    order_event_write(
        order,
        OrderEventType.PAYMENT_REVIEWED,
        data={
            "payment_id": payment.pk,
            "decision": decision,
            "outcome": outcome,
            "confirmed_amount": str(payment.confirmed_amount),
            "confirmed_currency": payment.confirmed_currency,
            "reason": reason,
            "refund_id": refund,
            "note": note,
        },
        user=user,
    )

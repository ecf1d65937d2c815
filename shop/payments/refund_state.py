"""A refund's life, settled by what the provider confirms.

1. *reserve*, inside the caller's transaction under the order's lock: the amount is
   added to the payment's ``amount_refunded`` by a conditional update (so refunds at
   once never exceed what was captured) and a pending ``Refund`` row is written;
2. *send* it to the provider with the idempotency key ``refund-<id>-create``, outside
   every lock; the provider's answer is applied as in 3;
3. *apply* the provider's state under the locks (order, its payment, the refund):
   - ``succeeded``: the order's refunded amount and status, the stock, the fee given
     back (shop/payments/refund_fees.py), the ledger's reversal and the shopper's
     e-mail change together, only now;
   - ``pending``: nothing moves but the refund's confirmed status (an order event says
     the provider has it); Alipay and WeChat Pay refunds wait here for a while;
   - ``failed`` (refused, failed or cancelled at the provider): the reserved amount and
     units are given back, so the same amount can be refunded again; the ledger never
     saw it; staff are alerted.

The shop reads refunds back: a webhook (``refund.updated``, ``refund.failed``,
``charge.refund.updated``) or the fake provider's settling is a hint to read the refund
from the provider and apply it, and :func:`refunds_sync_pending` (a beat task) re-reads
those still pending and sends again those the provider never answered, with the same
key, so a refund that in fact went through is never made twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop.core.db import transaction_retry
from shop.core.errors import ShopError
from shop.core.hooks import hooks
from shop.core.permissions import signed_in
from shop.core.tasks import enqueue_on_commit
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderLine, OrderStatus
from shop.orders.reservations import order_reservations_release
from shop.orders.services import order_event_write, order_status_set
from shop.orders.state import can_transition
from shop.payments.alerts import refund_failed_alert
from shop.payments.errors import (
    PaymentProviderRejected,
    PaymentProviderUnavailable,
    RefundExceedsPaid,
)
from shop.payments.locks import order_payment_lock, refund_lock
from shop.payments.models import CAPTURED, Payment, PaymentStatus, Refund, RefundStatus
from shop.payments.providers import provider_get
from shop.payments.providers.base import ProviderRefundState
from shop.payments.refund_fees import refund_fee_returned

logger = logging.getLogger(__name__)

_SHIPPED_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
_REFUSED = gettext_lazy("The payment provider refused the refund.")


def refund_reserve(
    *,
    order: Order,
    payment: Payment,
    amount: Decimal,
    reason: str,
    user: Any = None,
    lines: Sequence[dict[str, int]] = (),
) -> Refund:
    """Step 1, inside the caller's transaction holding the order's and payment's locks."""
    updated = Payment.objects.filter(pk=payment.pk, amount_refunded__lte=CAPTURED - amount).update(
        amount_refunded=F("amount_refunded") + amount, updated_at=timezone.now()
    )
    if updated != 1:
        payment.refresh_from_db()
        captured = payment.confirmed_amount or payment.amount
        raise RefundExceedsPaid(
            fields={
                "amount": [
                    _("At most %(amount)s.") % {"amount": captured - payment.amount_refunded}
                ]
            }
        )
    payment.refresh_from_db(fields=["amount_refunded"])
    return Refund.objects.create(
        payment=payment,
        order=order,
        amount=amount,
        currency=payment.confirmed_currency or payment.currency,
        reason=reason[:255],
        lines=list(lines),
        created_by=signed_in(user),
    )


def refund_send(*, refund_id: int) -> Refund:
    """Step 2: send a pending refund to the provider (again, with the same key) and apply
    its answer. A refund the provider already answered is read back instead.

    Raises ``PaymentProviderUnavailable`` when the provider did not answer (the refund
    stays pending) and ``PaymentProviderRejected`` when it refused (the refund failed).
    """
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    if refund.provider_reference:
        return refund_sync(refund_id=refund_id)
    try:
        state = provider_get(refund.payment.provider).refund(refund.payment, refund)
    except PaymentProviderUnavailable:
        raise
    except ShopError as exc:
        refund_reject(refund_id=refund_id, code=exc.code)
        raise PaymentProviderRejected(_REFUSED) from exc
    refund = refund_apply(refund_id=refund_id, state=state)
    if refund.status == RefundStatus.FAILED:
        raise PaymentProviderRejected(_REFUSED)
    return refund


def refund_sync(*, refund_id: int) -> Refund:
    """Read a refund back from its provider and apply it; one never answered is sent again
    with its key. Safe to call any number of times, from any number of processes."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if not refund.provider_reference:
        return refund_send(refund_id=refund_id) if refund.status == RefundStatus.PENDING else refund
    state = provider_get(refund.payment.provider).retrieve_refund(refund.provider_reference)
    return refund_apply(refund_id=refund_id, state=state)


def refund_take(payment: Payment, state: ProviderRefundState) -> int | None:
    """Apply one refund of ``payment`` as the provider reports it: one of ours (by its
    reference, or by the refund id we gave it as metadata), or one made at the provider
    directly, recorded then. Returns our refund's id (None for a failed one made there)."""
    ours = Refund.objects.filter(payment=payment).filter(
        Q(provider_reference=state.reference) | Q(pk=state.refund_id or 0, provider_reference="")
    )
    refund_id = ours.values_list("pk", flat=True).first()
    if refund_id is not None:
        refund_apply(refund_id=refund_id, state=state)
        return refund_id
    return _refund_external_record(payment_id=payment.pk, order_id=payment.order_id, state=state)


def refunds_reconcile(*, payment: Payment) -> None:
    """Every refund of the payment as its provider counts them, applied one by one: ours
    that moved, and those made at the provider (Stripe's dashboard)."""
    for state in provider_get(payment.provider).refunds_list(payment.provider_reference):
        refund_take(payment, state)


@transaction_retry
@transaction.atomic
def refund_apply(*, refund_id: int, state: ProviderRefundState) -> Refund:
    """Step 3: the provider's state of one of our refunds, applied under the locks."""
    order, payment, refund = refund_lock(refund_id)
    before = refund.confirmed_status
    refund.confirmed_status = state.status
    refund.confirmed_at = timezone.now()
    refund.provider_reference = refund.provider_reference or state.reference
    refund.failure_code = state.failure_code or refund.failure_code
    fields = ["confirmed_status", "confirmed_at", "provider_reference", "failure_code"]
    if refund.status == RefundStatus.PENDING and state.status == RefundStatus.SUCCEEDED:
        _refund_succeed(order, payment, refund, fields, fee=state.fee)
    elif refund.status == RefundStatus.PENDING and state.status == RefundStatus.FAILED:
        _refund_fail(order, payment, refund, fields, code=state.failure_code or "refund_failed")
    else:
        refund.save(update_fields=[*fields, "updated_at"])
        if state.status == before:
            pass
        elif state.status == RefundStatus.PENDING:
            order_event_write(
                order,
                OrderEventType.REFUND_PENDING,
                data={"refund_id": refund.pk, "amount": str(refund.amount)},
            )
        elif refund.status == RefundStatus.SUCCEEDED and state.status == RefundStatus.FAILED:
            # Paid out, then failed at the bank (rare): the order and the ledger already
            # show it refunded, so staff settle it by hand; check_invariants reports it.
            order_event_write(
                order,
                OrderEventType.REFUND_FAILED,
                data={"refund_id": refund.pk, "amount": str(refund.amount), "after_success": True},
            )
            refund_failed_alert(refund, order, provider=payment.provider, code="after_success")
    return refund


@transaction_retry
@transaction.atomic
def refund_reject(*, refund_id: int, code: str) -> None:
    """The provider refused to make the refund at all."""
    order, payment, refund = refund_lock(refund_id)
    if refund.status == RefundStatus.PENDING:
        refund.failure_code = code[:64]
        _refund_fail(order, payment, refund, ["failure_code"], code=code)


def _counts_for_order(order: Order, payment: Payment) -> bool:
    """Whether the payment is the one that paid the order (not one being returned)."""
    return payment.status == PaymentStatus.SUCCEEDED and order.amount_paid > 0


def _refund_succeed(
    order: Order, payment: Payment, refund: Refund, fields: list[str], *, fee: Decimal | None
) -> None:
    refund.status = RefundStatus.SUCCEEDED
    refund.succeeded_at = timezone.now()
    refund.fee_returned = refund_fee_returned(payment, refund, fee)
    refund.save(update_fields=[*fields, "status", "succeeded_at", "fee_returned", "updated_at"])
    if _counts_for_order(order, payment):
        _refund_apply_to_order(order, refund)
        return
    order_event_write(
        order,
        OrderEventType.REFUNDED,
        data={"refund_id": refund.pk, "amount": str(refund.amount), "returned": True},
    )
    enqueue_on_commit("fulfillment.order_email_send", order.pk, "refund_issued", refund.pk)


def _refund_apply_to_order(order: Order, refund: Refund) -> None:
    """A refund of the order's own payment: its money, status, stock, ledger and e-mail."""
    updated = Order.objects.filter(
        pk=order.pk, amount_refunded__lte=F("amount_paid") - refund.amount
    ).update(amount_refunded=F("amount_refunded") + refund.amount)
    if updated != 1:
        raise RefundExceedsPaid()
    order.refresh_from_db()
    full = order.amount_refunded == order.amount_paid
    nothing_shipped = (
        order.status not in _SHIPPED_STATUSES
        and not Reservation.objects.filter(
            order_line__order=order, status=ReservationStatus.SHIPPED
        ).exists()
    )
    released = 0
    if full and nothing_shipped:
        released = order_reservations_release(order, (ReservationStatus.CONFIRMED,))
    data = {"refund_id": refund.pk, "amount": str(refund.amount), "released": released}
    target = OrderStatus.REFUNDED if full else OrderStatus.PARTIALLY_REFUNDED
    if can_transition(order.status, target):
        order_status_set(
            order, target, user=refund.created_by, event_type=OrderEventType.REFUNDED, data=data
        )
    else:
        # A partial refund of a cancelled order: it stays cancelled until all is returned.
        order_event_write(order, OrderEventType.REFUNDED, data=data, user=refund.created_by)
    hooks().refund_succeeded(refund=refund)
    enqueue_on_commit("fulfillment.order_email_send", order.pk, "refund_issued", refund.pk)


def _refund_fail(
    order: Order, payment: Payment, refund: Refund, fields: list[str], *, code: str
) -> None:
    """The reserved amount and units are given back: they can be refunded again."""
    refund.status = RefundStatus.FAILED
    refund.save(update_fields=[*fields, "status", "updated_at"])
    Payment.objects.filter(pk=payment.pk, amount_refunded__gte=refund.amount).update(
        amount_refunded=F("amount_refunded") - refund.amount, updated_at=timezone.now()
    )
    for item in refund.lines:
        OrderLine.objects.filter(
            pk=item["line_id"], quantity_refunded__gte=item["quantity"]
        ).update(quantity_refunded=F("quantity_refunded") - item["quantity"])
    order_event_write(
        order,
        OrderEventType.REFUND_FAILED,
        data={"refund_id": refund.pk, "amount": str(refund.amount), "code": code},
    )
    refund_failed_alert(refund, order, provider=payment.provider, code=code)


@transaction_retry
@transaction.atomic
def _refund_external_record(
    *, payment_id: int, order_id: int, state: ProviderRefundState
) -> int | None:
    """A refund made at the provider directly (Stripe's dashboard), recorded as it stands
    there: pending until the provider says it succeeded, like ours."""
    order, payment = order_payment_lock(order_id, payment_id)
    known = Refund.objects.filter(payment=payment, provider_reference=state.reference)
    refund_id = known.values_list("pk", flat=True).first()
    if refund_id is not None:  # recorded by a concurrent reader meanwhile
        return refund_id
    if state.status == RefundStatus.FAILED:
        return None  # it never moved money
    if payment.status != PaymentStatus.SUCCEEDED:
        logger.error(
            "payment %s (%s): a refund %s made at the provider is not recorded",
            payment.pk,
            payment.status,
            state.reference,
        )
        return None
    refund = refund_reserve(
        order=order, payment=payment, amount=state.amount, reason="refunded at the payment provider"
    )
    refund.provider_reference = state.reference
    refund.confirmed_status = state.status
    refund.confirmed_at = timezone.now()
    fields = ["provider_reference", "confirmed_status", "confirmed_at"]
    order_event_write(
        order,
        OrderEventType.REFUND_REQUESTED,
        data={"refund_id": refund.pk, "amount": str(refund.amount), "reason": "at the provider"},
    )
    if state.status == RefundStatus.SUCCEEDED:
        _refund_succeed(order, payment, refund, fields, fee=state.fee)
    else:
        refund.save(update_fields=[*fields, "updated_at"])
        order_event_write(
            order,
            OrderEventType.REFUND_PENDING,
            data={"refund_id": refund.pk, "amount": str(refund.amount)},
        )
    return refund.pk


def refunds_sync_pending(
    *, unanswered_after_seconds: int = 60, recheck_after_minutes: int = 10, limit: int = 100
) -> int:
    """The beat's sweep of pending refunds: those the provider never answered are sent
    again with their key; those it holds pending are read back, at most every
    ``recheck_after_minutes``. Returns how many were settled (succeeded or failed)."""
    now = timezone.now()
    ids = list(
        Refund.objects.filter(status=RefundStatus.PENDING)
        .filter(
            Q(
                provider_reference="",
                created_at__lt=now - timedelta(seconds=unanswered_after_seconds),
            )
            | (
                ~Q(provider_reference="")
                & (
                    Q(confirmed_at__isnull=True)
                    | Q(confirmed_at__lt=now - timedelta(minutes=recheck_after_minutes))
                )
            )
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    settled = 0
    for refund_id in ids:
        try:
            refund = refund_sync(refund_id=refund_id)
        except ShopError as exc:
            logger.warning("refund %s not settled: %s", refund_id, exc.code)
            continue
        settled += refund.status != RefundStatus.PENDING
    return settled

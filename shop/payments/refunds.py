"""Refunds, by staff or when a payment has to be returned, always through the provider.

A refund happens in three steps so the provider is never called under a long lock:

1. *reserve*, in one transaction under the order lock: the amount is added to the
   payment's ``amount_refunded`` by a conditional update (so two refunds at once can
   never exceed what was paid) and a pending ``Refund`` row is written;
2. *send* it to the provider with the idempotency key ``refund-<id>-create``;
3. *finish*: on success the order's money and status, the ledger and the e-mail change
   together; when the provider refuses, the reservation is given back and the refund
   is marked failed. When the provider does not answer, the refund stays pending,
   still reserved, and :func:`refunds_retry_pending` sends it again with the same key,
   so a refund that in fact went through is never made twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfillment.services import order_shipments_cancel
from fulfillment.tasks import order_email_send
from partners.services import ledger_refund_record
from shop.checkout.models import Reservation, ReservationStatus
from shop.core.errors import InvalidInput, ShopError
from shop.core.money import quantize
from shop.core.permissions import signed_in
from shop.core.tasks import enqueue_on_commit
from shop.orders.models import Order, OrderEventType, OrderLine, OrderStatus
from shop.orders.services import (
    order_cancel_unpaid,
    order_event_write,
    order_lock,
    order_reservations_release,
    order_status_set,
)
from shop.orders.state import PAID_STATUSES, can_transition
from shop.payments.errors import (
    NothingToRefund,
    OrderNotCancellable,
    PaymentProviderRejected,
    PaymentProviderUnavailable,
    RefundExceedsPaid,
    RefundLineInvalid,
)
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from shop.payments.providers import provider_get

logger = logging.getLogger(__name__)

REFUNDABLE_STATUSES = frozenset(PAID_STATUSES | {OrderStatus.CANCELLED})
_SHIPPED_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def refund_reserve(
    *,
    order: Order,
    payment: Payment,
    amount: Decimal,
    reason: str,
    user: Any = None,
    lines: Sequence[dict[str, int]] = (),
) -> Refund:
    """Step 1, inside the caller's transaction holding the order lock."""
    updated = Payment.objects.filter(
        pk=payment.pk, amount_refunded__lte=F("amount") - amount
    ).update(amount_refunded=F("amount_refunded") + amount, updated_at=timezone.now())
    if updated != 1:
        payment.refresh_from_db()
        raise RefundExceedsPaid(
            fields={
                "amount": [
                    _("At most %(amount)s.") % {"amount": payment.amount - payment.amount_refunded}
                ]
            }
        )
    payment.refresh_from_db(fields=["amount_refunded"])
    return Refund.objects.create(
        payment=payment,
        order=order,
        amount=amount,
        currency=payment.currency,
        reason=reason[:255],
        lines=list(lines),
        created_by=signed_in(user),
    )


def refund_create(
    *,
    order: Order,
    amount: Decimal,
    reason: str,
    user: Any,
    lines: Sequence[dict[str, int]] | None = None,
) -> Refund:
    """Staff refund part or all of what a customer paid (the caller checks it is staff).

    ``lines`` ([{"line_id", "quantity"}]) records which units came back; the amount
    is what staff decide to return.
    """
    amount = quantize(amount)
    if amount <= 0:
        raise InvalidInput(fields={"amount": [_("Must be more than 0.")]})
    refund = _refund_open(order_id=order.pk, amount=amount, reason=reason, user=user, lines=lines)
    return refund_send(refund_id=refund.pk)


@transaction.atomic
def _refund_open(
    *,
    order_id: int,
    amount: Decimal,
    reason: str,
    user: Any,
    lines: Sequence[dict[str, int]] | None,
) -> Refund:
    order = order_lock(order_id)
    if order.status not in REFUNDABLE_STATUSES or order.amount_paid <= 0:
        raise NothingToRefund(fields={"status": [order.status]})
    payment = (
        Payment.objects.select_for_update(of=("self",), no_key=True)
        .filter(order=order, status=PaymentStatus.SUCCEEDED)
        .first()
    )
    if payment is None:
        raise NothingToRefund()
    clean_lines = _lines_take(order, lines or [])
    refund = refund_reserve(
        order=order, payment=payment, amount=amount, reason=reason, user=user, lines=clean_lines
    )
    order_event_write(
        order,
        OrderEventType.REFUND_REQUESTED,
        data={"refund_id": refund.pk, "amount": str(amount), "reason": reason},
        user=user,
    )
    return refund


def _lines_take(order: Order, lines: Sequence[dict[str, int]]) -> list[dict[str, int]]:
    """Count the refunded units on the order's lines, refusing more than were bought."""
    wanted: dict[int, int] = {}
    for item in lines:
        line_id, quantity = int(item["line_id"]), int(item["quantity"])
        if quantity <= 0:
            raise RefundLineInvalid(
                fields={
                    "lines": [
                        _("Line %(line)s: the quantity must be more than 0.") % {"line": line_id}
                    ]
                }
            )
        wanted[line_id] = wanted.get(line_id, 0) + quantity
    for line_id, quantity in sorted(wanted.items()):
        updated = OrderLine.objects.filter(
            pk=line_id, order=order, quantity_refunded__lte=F("quantity") - quantity
        ).update(quantity_refunded=F("quantity_refunded") + quantity)
        if updated != 1:
            raise RefundLineInvalid(
                fields={
                    "lines": [
                        _("Line %(line)s: not in this order, or fewer units left to refund.")
                        % {"line": line_id}
                    ]
                }
            )
    return [{"line_id": line_id, "quantity": q} for line_id, q in sorted(wanted.items())]


def refund_send(*, refund_id: int) -> Refund:
    """Step 2: send a pending refund to the provider (again, with the same key) and finish it.

    Raises ``PaymentProviderUnavailable`` when the provider did not answer (the refund
    stays pending) and ``PaymentProviderRejected`` when it refused (the refund failed).
    """
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    try:
        result = provider_get(refund.payment.provider).refund(refund.payment, refund)
    except PaymentProviderUnavailable:
        raise
    except ShopError as exc:
        _refund_fail(refund_id=refund_id, code=exc.code)
        raise PaymentProviderRejected(_("The payment provider refused the refund.")) from exc
    if result.status != RefundStatus.SUCCEEDED:
        _refund_fail(refund_id=refund_id, code="refund_failed")
        raise PaymentProviderRejected(_("The payment provider refused the refund."))
    return _refund_succeed(refund_id=refund_id, reference=result.reference)


def _counts_for_order(order: Order, payment: Payment) -> bool:
    """Whether the payment is the one that paid the order (not one being returned)."""
    return payment.status == PaymentStatus.SUCCEEDED and order.amount_paid > 0


@transaction.atomic
def _refund_succeed(*, refund_id: int, reference: str) -> Refund:
    order_id = Refund.objects.values_list("order_id", flat=True).get(pk=refund_id)
    order = order_lock(order_id)
    refund = (
        Refund.objects.select_for_update(of=("self",), no_key=True)
        .select_related("payment")
        .get(pk=refund_id)
    )
    if refund.status != RefundStatus.PENDING:
        return refund  # a concurrent retry finished it
    refund.status = RefundStatus.SUCCEEDED
    refund.provider_reference = reference
    refund.succeeded_at = timezone.now()
    refund.save(update_fields=["status", "provider_reference", "succeeded_at", "updated_at"])
    if _counts_for_order(order, refund.payment):
        _refund_apply_to_order(order, refund)
    else:
        order_event_write(
            order,
            OrderEventType.REFUNDED,
            data={"refund_id": refund.pk, "amount": str(refund.amount), "returned": True},
        )
        enqueue_on_commit(order_email_send, order.pk, "refund_issued", refund.pk)
    return refund


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
    ledger_refund_record(refund=refund)
    enqueue_on_commit(order_email_send, order.pk, "refund_issued", refund.pk)


@transaction.atomic
def _refund_fail(*, refund_id: int, code: str) -> None:
    """The provider refused: the reserved amount and units are given back."""
    order_id = Refund.objects.values_list("order_id", flat=True).get(pk=refund_id)
    order = order_lock(order_id)
    refund = Refund.objects.select_for_update(of=("self",), no_key=True).get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return
    refund.status = RefundStatus.FAILED
    refund.save(update_fields=["status", "updated_at"])
    Payment.objects.filter(pk=refund.payment_id, amount_refunded__gte=refund.amount).update(
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


def refund_external_record(*, order: Order, payment: Payment, amount: Decimal) -> Refund:
    """A refund made at the provider directly (Stripe's dashboard): recorded as it is,
    inside the caller's transaction that holds the order and payment locks."""
    refund = refund_reserve(
        order=order, payment=payment, amount=amount, reason="refunded at the payment provider"
    )
    refund.status = RefundStatus.SUCCEEDED
    refund.succeeded_at = timezone.now()
    refund.save(update_fields=["status", "succeeded_at", "updated_at"])
    if _counts_for_order(order, payment):
        _refund_apply_to_order(order, refund)
    return refund


def refunds_retry_pending(*, older_than_seconds: int = 60, limit: int = 100) -> int:
    """Send again the refunds the provider did not answer; returns how many finished."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Refund.objects.filter(status=RefundStatus.PENDING, created_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    finished = 0
    for refund_id in ids:
        try:
            refund_send(refund_id=refund_id)
            finished += 1
        except ShopError as exc:
            logger.warning("refund %s not sent: %s", refund_id, exc.code)
    return finished


def order_cancel(*, order: Order, user: Any, reason: str = "") -> tuple[Order, Refund | None]:
    """Staff cancel an order: an unpaid one simply; a paid one that has not shipped gets its
    stock back and everything paid refunded (the order ends refunded once that succeeds)."""
    if order.status == OrderStatus.PENDING_PAYMENT:
        return order_cancel_unpaid(order=order, user=user, reason=reason), None
    refund = _order_cancel_paid(order_id=order.pk, user=user, reason=reason)
    if refund is not None:
        try:
            refund = refund_send(refund_id=refund.pk)
        except ShopError as exc:
            # The order is cancelled either way; the refund is retried or shown as failed.
            logger.warning("cancel of %s: refund %s: %s", order.number, refund.pk, exc.code)
            refund.refresh_from_db()
    order.refresh_from_db()
    return order, refund


@transaction.atomic
def _order_cancel_paid(*, order_id: int, user: Any, reason: str) -> Refund | None:
    order = order_lock(order_id)
    shipped = Reservation.objects.filter(
        order_line__order=order, status=ReservationStatus.SHIPPED
    ).exists()
    if order.status not in (OrderStatus.PAID, OrderStatus.FULFILLING) or shipped:
        raise OrderNotCancellable(fields={"status": [order.status]})
    released = order_reservations_release(order, (ReservationStatus.CONFIRMED,))
    order_status_set(
        order,
        OrderStatus.CANCELLED,
        user=user,
        event_type=OrderEventType.CANCELLED,
        data={"released": released, "reason": reason},
    )
    order_shipments_cancel(order_id=order.pk, user=user)
    payment = (
        Payment.objects.select_for_update(of=("self",), no_key=True)
        .filter(order=order, status=PaymentStatus.SUCCEEDED)
        .first()
    )
    if payment is None or payment.amount_refunded >= payment.amount:
        return None
    refund = refund_reserve(
        order=order,
        payment=payment,
        amount=payment.amount - payment.amount_refunded,
        reason=reason or "order cancelled",
        user=user,
    )
    order_event_write(
        order,
        OrderEventType.REFUND_REQUESTED,
        data={"refund_id": refund.pk, "amount": str(refund.amount), "reason": "cancelled"},
        user=user,
    )
    return refund

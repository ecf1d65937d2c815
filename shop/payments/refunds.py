"""Refunds staff ask for, and cancelling an order: what may be refunded, reserved under
the order's lock, then sent to the provider. How a refund then settles, by what the
provider confirms, is shop/payments/refund_state.py.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from shop.core.db import transaction_retry
from shop.core.errors import InvalidInput, ShopError
from shop.core.hooks import hooks
from shop.core.money import quantize
from shop.orders.cancellation import order_cancel_unpaid
from shop.orders.errors import IdempotencyKeyReused
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderLine, OrderStatus
from shop.orders.reservations import order_reservations_release
from shop.orders.services import order_event_write, order_status_set
from shop.orders.state import PAID_STATUSES
from shop.payments.errors import NothingToRefund, OrderNotCancellable, RefundLineInvalid
from shop.payments.locks import order_payments_lock
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from shop.payments.refund_state import refund_reserve, refund_send

logger = logging.getLogger(__name__)

REFUNDABLE_STATUSES = frozenset(PAID_STATUSES | {OrderStatus.CANCELLED})


def _paying(payments: list[Payment]) -> Payment | None:
    """The payment that paid the order, among its payments locked in id order."""
    return next((p for p in payments if p.status == PaymentStatus.SUCCEEDED), None)


def order_refund_left(order: Order) -> Decimal:
    """What is left to refund of the payment that paid ``order``; refunds still pending
    count as made, since their amount is reserved on the payment."""
    payment = (
        Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED).order_by("id").first()
    )
    if payment is None:
        return Decimal("0.00")
    return (payment.confirmed_amount or payment.amount) - payment.amount_refunded


def refund_create(
    *,
    order: Order,
    amount: Decimal,
    reason: str,
    user: Any,
    lines: Sequence[dict[str, int]] | None = None,
    idempotency_key: str = "",
    fingerprint: str = "",
    shipping: bool = False,
) -> Refund:
    """Staff refund part or all of what a customer paid (the caller checks it is staff).

    ``lines`` ([{"line_id", "quantity"}]) records which units came back; the amount
    is what staff decide to return. With an ``idempotency_key``, the refund that key
    already made for the same request (``fingerprint``) is returned, not made again.
    A ``shipping`` refund gives back part or all of the shipping charge alone (no lines):
    the partners' ledger moves only the shipping income for it.
    """
    amount = quantize(amount)
    if amount <= 0:
        raise InvalidInput(fields={"amount": [_("Must be more than 0.")]})
    key = (idempotency_key, fingerprint)
    if shipping and lines:
        raise InvalidInput(fields={"lines": [_("A shipping refund names no lines.")]})
    refund, new = _refund_open(
        order_id=order.pk,
        amount=amount,
        reason=reason,
        user=user,
        lines=lines,
        key=key,
        shipping=shipping,
    )
    return refund_send(refund_id=refund.pk) if new else refund


@transaction_retry
@transaction.atomic
def _refund_open(
    *,
    order_id: int,
    amount: Decimal,
    reason: str,
    user: Any,
    lines: Sequence[dict[str, int]] | None,
    key: tuple[str, str] = ("", ""),
    shipping: bool = False,
) -> tuple[Refund, bool]:
    order, payments = order_payments_lock(order_id)
    if key[0]:
        # Under the order's lock: a retry racing the first request finds its refund.
        earlier = Refund.objects.filter(order_id=order_id, idempotency_key=key[0]).first()
        if earlier is not None:
            if earlier.idempotency_fingerprint != key[1]:
                raise IdempotencyKeyReused()
            return earlier, False
    if order.status not in REFUNDABLE_STATUSES or order.amount_paid <= 0:
        raise NothingToRefund(fields={"status": [order.status]})
    payment = _paying(payments)
    if payment is None:
        raise NothingToRefund()
    if shipping:
        _shipping_room_check(order, amount)
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
    if key[0] or shipping:
        refund.idempotency_key, refund.idempotency_fingerprint = key
        refund.shipping = shipping
        Refund.objects.filter(pk=refund.pk).update(
            idempotency_key=key[0], idempotency_fingerprint=key[1], shipping=shipping
        )
    return refund, True


def order_shipping_refundable(order: Order) -> Decimal:
    """What is left of the order's shipping charge to refund as a shipping refund: the
    charge less the shipping refunds made or under way, and never more than is left of
    the payment."""
    refunded = (
        order.refunds.filter(shipping=True)
        .exclude(status=RefundStatus.FAILED)
        .aggregate(total=Sum("amount"))["total"]
    ) or Decimal(0)
    left = order.shipping_price - refunded
    paid_left = order.amount_paid - order.amount_refunded
    return max(min(left, paid_left), Decimal(0))


def _shipping_room_check(order: Order, amount: Decimal) -> None:
    left = order_shipping_refundable(order)
    if amount > left:
        raise InvalidInput(
            fields={
                "amount": [
                    _("At most %(amount)s of the shipping charge is left to refund.")
                    % {"amount": left}
                ]
            }
        )


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
            # The order is cancelled either way; the refund is sent again or shown failed.
            logger.warning("cancel of %s: refund %s: %s", order.number, refund.pk, exc.code)
            refund.refresh_from_db()
    order.refresh_from_db()
    return order, refund


@transaction_retry
@transaction.atomic
def _order_cancel_paid(*, order_id: int, user: Any, reason: str) -> Refund | None:
    order, payments = order_payments_lock(order_id)
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
    hooks().order_closed(order=order, user=user)
    payment = _paying(payments)
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

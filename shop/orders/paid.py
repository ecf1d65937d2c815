"""An order's payment succeeded: the order is paid, and the stock it held is confirmed
until it ships (held again first when its hold lapsed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from shop.core import metrics
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.reservations import StockLost, order_reservations_confirm
from shop.orders.services import order_lock, order_status_set


@dataclass(frozen=True)
class PaidOutcome:
    """What happened when a payment for the order succeeded."""

    newly_paid: bool  # False when the order was already paid (a duplicate)
    stock_lost: bool = False  # the stock is gone: the caller must refund the payment


@transaction.atomic(savepoint=False)
def order_mark_paid(
    *, order_id: int, amount: Any, user: Any = None, locked: Order | None = None
) -> PaidOutcome:
    """The order's payment succeeded. Idempotent: a second call changes nothing.

    Held units become confirmed until they ship. When the reservation lapsed (a late
    payment) the units are held again if they are still there; when they are not,
    the caller refunds the payment and the order is cancelled. ``locked``: the order,
    when the caller already holds its lock in the current transaction.
    """
    order = locked if locked is not None and locked.pk == order_id else order_lock(order_id)
    if order.status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED):
        return PaidOutcome(newly_paid=False)
    now = timezone.now()
    try:
        order_reservations_confirm(order, now)
    except StockLost:
        return PaidOutcome(newly_paid=False, stock_lost=True)
    order_status_set(
        order,
        OrderStatus.PAID,
        user=user,
        event_type=OrderEventType.PAYMENT_SUCCEEDED,
        data={"amount": str(amount)},
        paid_at=now,
        amount_paid=amount,
        expires_at=None,
    )
    channel_code = order.channel.code
    transaction.on_commit(lambda: metrics.order_paid(channel_code))
    return PaidOutcome(newly_paid=True)

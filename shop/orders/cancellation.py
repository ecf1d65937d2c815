"""Orders that end unpaid: expired when their time is up, cancelled by the shopper or
staff, or cancelled because a late payment found the stock sold. Their held stock and
voucher use come back. (Cancelling a paid order refunds it: shop/payments/refunds.py.)"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.core.hooks import hooks
from shop.orders.errors import IllegalTransition
from shop.orders.holds import ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.reservations import order_reservations_release
from shop.orders.services import order_event_write, order_lock, order_status_set


def _voucher_release(order: Order) -> None:
    # Vouchers are the checkout's, above the orders: it gives the use back.
    hooks().order_voucher_release(order=order)


@transaction.atomic
def order_expire(*, order_id: int, now: Any = None) -> bool:
    """Expire an unpaid order whose time is up; its stock and voucher use come back."""
    now = now or timezone.now()
    order = order_lock(order_id)
    if (
        order.status != OrderStatus.PENDING_PAYMENT
        or not order.expires_at
        or order.expires_at > now
    ):
        return False
    released = order_reservations_release(order, (ReservationStatus.ACTIVE,))
    _voucher_release(order)
    order_status_set(
        order, OrderStatus.EXPIRED, event_type=OrderEventType.EXPIRED, data={"released": released}
    )
    return True


@transaction.atomic
def order_cancel_unpaid(*, order: Order, user: Any = None, reason: str = "") -> Order:
    """A shopper or staff cancels an order that has not been paid."""
    order = order_lock(order.pk)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise IllegalTransition(
            _('Only unpaid orders can be cancelled; this order\'s status is "%(status)s".')
            % {"status": OrderStatus(order.status).label}
        )
    released = order_reservations_release(order, (ReservationStatus.ACTIVE,))
    _voucher_release(order)
    return order_status_set(
        order,
        OrderStatus.CANCELLED,
        user=user,
        event_type=OrderEventType.CANCELLED,
        data={"released": released, "reason": reason},
    )


@transaction.atomic
def order_cancel_for_lost_stock(*, order_id: int) -> Order:
    """A payment came in after the stock was sold to someone else: the order is cancelled."""
    order = order_lock(order_id)
    if order.status == OrderStatus.EXPIRED:
        # Expired orders are final; the refund is recorded on the payment and in events.
        order_event_write(order, OrderEventType.NOTE, data={"note": "late payment, stock gone"})
        return order
    order_reservations_release(order, (ReservationStatus.ACTIVE,))
    _voucher_release(order)
    return order_status_set(
        order,
        OrderStatus.CANCELLED,
        event_type=OrderEventType.CANCELLED,
        data={"reason": "stock_unavailable"},
    )

"""Orders carried along the shopper's path: paid at the offline fake provider, then
fulfilled, booked, shipped and delivered by the simulated carrier."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fulfillment import services
from fulfillment.models import Shipment
from shop.orders.models import Order, OrderStatus
from shop.payments.services import payment_fake_complete, payment_start


def age_booking(shipment: Shipment, seconds: int) -> None:
    """Pretend the shipment was booked ``seconds`` ago (the simulated carrier's clock)."""
    Shipment.objects.filter(pk=shipment.pk).update(
        booked_at=timezone.now() - timedelta(seconds=seconds),
        last_polled_at=None,
        next_poll_at=None,
    )
    shipment.refresh_from_db()


def delivered(order: Order) -> Order:
    """Fulfil, book, ship and deliver every parcel of a paid order (simulated carrier)."""
    for shipment_id in services.order_fulfill(order_id=order.pk):
        services.shipment_book(shipment_id=shipment_id)
    for shipment in Shipment.objects.filter(order=order):
        age_booking(shipment, 601)
        services.shipment_track(shipment_id=shipment.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    return order


def pay(order: Order) -> None:
    """The shopper pays at the offline fake provider; the payment code enqueues fulfilment."""
    payment = payment_start(order=order, provider="fake")
    payment_fake_complete(payment=payment, outcome="succeed")

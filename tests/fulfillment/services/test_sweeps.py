"""The sweeps: shipments of cancelled orders, paid orders left without shipments, and
delivered orders that complete once nothing more can happen to them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fulfillment import services
from fulfillment.errors import OrderNotFulfillable
from fulfillment.models import (
    ShipmentStatus,
)
from shop.orders.models import Order, OrderStatus
from tests.factories.fulfillment import age_booking
from tests.fulfillment.conftest import shipments_of, stock_levels


def test_shipments_of_a_cancelled_order_never_ship_and_the_sweep_cancels_them(
    two_warehouses, staff_user, fees_charged
):
    order, shipments = two_warehouses.booked_order()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)

    with pytest.raises(OrderNotFulfillable):
        services.shipment_ship(shipment_id=shipments[0].pk, user=staff_user)
    assert stock_levels(two_warehouses.museum_stock, two_warehouses.media_stock) == [
        (10, 2),
        (10, 1),
    ]

    assert services.orders_closed_with_open_shipments() == [order.pk]
    assert services.order_shipments_cancel(order_id=order.pk) == 2
    assert [s.status for s in shipments_of(order)] == [ShipmentStatus.CANCELLED] * 2
    assert services.orders_closed_with_open_shipments() == []
    assert fees_charged() == []


def test_the_sweep_finds_paid_orders_left_without_shipments(two_warehouses):
    old = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 1)])
    Order.objects.filter(pk=old.pk).update(paid_at=timezone.now() - timedelta(minutes=2))
    fresh = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 1)])
    fulfilled = two_warehouses.paid_order(lines=[(two_warehouses.media_stock.variant, 1)])
    Order.objects.filter(pk=fulfilled.pk).update(paid_at=timezone.now() - timedelta(minutes=2))
    services.order_fulfill(order_id=fulfilled.pk)

    assert services.orders_unfulfilled() == [old.pk]
    assert fresh.pk in services.orders_unfulfilled(now=timezone.now() + timedelta(minutes=2))


def test_an_order_partly_refunded_after_delivery_completes_too(
    two_warehouses, fees_charged, django_capture_on_commit_callbacks
):
    order, shipments = two_warehouses.booked_order()
    for shipment in shipments:
        age_booking(shipment, 601)
        with django_capture_on_commit_callbacks(execute=True):
            services.shipment_track(shipment_id=shipment.pk)
    # A refund after delivery leaves the order partly refunded...
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PARTIALLY_REFUNDED)
    later = timezone.now() + timedelta(days=15)

    assert services.orders_complete_delivered() == 0  # the return window is still open
    assert services.orders_complete_delivered(now=later) == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_a_partly_refunded_order_with_a_parcel_on_its_way_does_not_complete(
    two_warehouses, fees_charged, django_capture_on_commit_callbacks
):
    order, shipments = two_warehouses.booked_order()
    first = shipments[0]
    age_booking(first, 601)
    with django_capture_on_commit_callbacks(execute=True):
        services.shipment_track(shipment_id=first.pk)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PARTIALLY_REFUNDED)

    assert services.orders_complete_delivered(now=timezone.now() + timedelta(days=15)) == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PARTIALLY_REFUNDED

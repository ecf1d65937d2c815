"""The carrier's scans: a parcel picked up ships its units and pays its fee; the last
parcel delivered delivers the order."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from catalog.models import MovementReason, StockMovement
from fulfillment import services
from fulfillment.models import (
    Shipment,
    ShipmentStatus,
    TrackingEvent,
)
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderStatus
from tests.factories.fulfillment import age_booking
from tests.fulfillment.conftest import shipments_of, stock_levels


def test_tracking_before_pickup_changes_nothing_but_the_events(two_warehouses, fees_charged):
    _, (_, museum) = two_warehouses.booked_order()

    services.shipment_track(shipment_id=museum.pk)

    museum.refresh_from_db()
    assert museum.status == ShipmentStatus.BOOKED
    assert list(TrackingEvent.objects.filter(shipment=museum).values_list("code", flat=True)) == [
        "booked"
    ]
    assert stock_levels(two_warehouses.museum_stock) == [(10, 2)]
    assert fees_charged() == []


def test_pickup_ships_units_out_of_stock_and_the_last_parcel_ships_the_order(
    two_warehouses, fees_charged, django_capture_on_commit_callbacks
):
    order, (media, museum) = two_warehouses.booked_order()
    age_booking(museum, 61)

    with django_capture_on_commit_callbacks(execute=True):
        services.shipment_track(shipment_id=museum.pk)

    museum.refresh_from_db()
    assert museum.status == ShipmentStatus.SHIPPED
    assert museum.shipped_at == museum.booked_at + timedelta(seconds=60)
    assert stock_levels(two_warehouses.museum_stock, two_warehouses.media_stock) == [
        (8, 0),
        (10, 1),
    ]
    sale = StockMovement.objects.get(stock=two_warehouses.museum_stock, reason=MovementReason.SALE)
    assert (sale.quantity_delta, sale.quantity_after, sale.reference) == (-2, 8, order.number)
    assert list(
        Reservation.objects.filter(order_line__order=order)
        .order_by("stock_id")
        .values_list("stock_id", "status")
    ) == [
        (two_warehouses.museum_stock.pk, ReservationStatus.SHIPPED),
        (two_warehouses.media_stock.pk, ReservationStatus.CONFIRMED),
    ]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLING
    assert fees_charged() == [museum.pk]
    assert mail.outbox == []

    age_booking(media, 61)
    with django_capture_on_commit_callbacks(execute=True):
        services.shipment_track(shipment_id=media.pk)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    assert stock_levels(two_warehouses.media_stock) == [(9, 0)]
    assert fees_charged() == [museum.pk, media.pk]
    assert [message.subject for message in mail.outbox] == [f"订单 {order.number} 已发货"]


def test_tracking_twice_stores_each_event_once_and_ships_once(two_warehouses, fees_charged):
    _, (museum,) = two_warehouses.booked_order(lines=[(two_warehouses.museum_stock.variant, 2)])
    age_booking(museum, 400)

    services.shipment_track(shipment_id=museum.pk)
    Shipment.objects.filter(pk=museum.pk).update(last_polled_at=None)
    services.shipment_track(shipment_id=museum.pk)

    assert list(TrackingEvent.objects.filter(shipment=museum).values_list("code", flat=True)) == [
        "booked",
        "picked_up",
        "in_transit",
    ]
    assert stock_levels(two_warehouses.museum_stock) == [(8, 0)]
    assert StockMovement.objects.filter(reason=MovementReason.SALE).count() == 1
    assert fees_charged() == [museum.pk]


def test_delivery_of_every_parcel_delivers_the_order_then_it_completes(
    two_warehouses, fees_charged, django_capture_on_commit_callbacks
):
    order, shipments = two_warehouses.booked_order()
    for shipment in shipments:
        age_booking(shipment, 601)
        with django_capture_on_commit_callbacks(execute=True):
            services.shipment_track(shipment_id=shipment.pk)

    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert [s.status for s in shipments_of(order)] == [ShipmentStatus.DELIVERED] * 2
    assert [m.subject for m in mail.outbox] == [
        f"订单 {order.number} 已发货",
        f"订单 {order.number} 已签收",
    ]

    assert services.orders_complete_delivered() == 0
    later = timezone.now() + timedelta(days=15)
    assert services.orders_complete_delivered(now=later) == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    assert services.orders_complete_delivered(now=later) == 0

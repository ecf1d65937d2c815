from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import MovementReason, StockMovement
from fulfillment import services
from fulfillment.errors import OrderNotFulfillable, ShipmentStatusConflict, WaybillRequired
from fulfillment.models import (
    CarrierCode,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
    TrackingEvent,
)
from partners.agreements import order_lines_agreements_attach
from partners.models import LedgerEntry, LedgerKind
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from tests.factories.fulfillment import age_booking
from tests.factories.ledger import agreement_with_terms
from tests.fulfillment.conftest import stock_levels


@pytest.fixture
def logistics_fee_agreements(two_warehouses):
    """Both products under an agreement charging a logistics fee per shipment, so the
    partners' ledger shows which shipments have shipped (a shipment's fee is recorded
    once, when it ships)."""
    for stock, partner in (
        (two_warehouses.museum_stock, two_warehouses.museum),
        (two_warehouses.media_stock, two_warehouses.media),
    ):
        agreement_with_terms(
            product=stock.variant.product,
            parties=[(partner, "licensor", 10000)],
            logistics_fee=Decimal("8.00"),
        )


def _fees_recorded() -> list[int]:
    """The shipments whose logistics fee is in the partners' ledger, in the order recorded."""
    sources = (
        LedgerEntry.objects.filter(kind=LedgerKind.LOGISTICS_FEE)
        .order_by("id")
        .values_list("source", flat=True)
    )
    return list(dict.fromkeys(int(source.removeprefix("shipment:")) for source in sources))


def _paid_order(two_warehouses, lines=None):
    """A paid order whose lines hold the agreement versions in force, as placed ones do."""
    order = two_warehouses.paid_order(lines=lines)
    order_lines_agreements_attach(order=order)
    return order


def _shipments(order):
    return list(Shipment.objects.filter(order=order).order_by("warehouse__code"))


def test_paid_order_is_split_into_one_shipment_per_warehouse(two_warehouses):
    order = two_warehouses.paid_order()

    to_book = services.order_fulfill(order_id=order.pk)

    media, museum = _shipments(order)
    assert sorted(to_book) == sorted([media.pk, museum.pk])
    assert (museum.warehouse, museum.partner, museum.status, museum.carrier) == (
        two_warehouses.museum_warehouse,
        two_warehouses.museum,
        ShipmentStatus.PENDING,
        CarrierCode.SIMULATED,
    )
    assert (media.warehouse, media.partner) == (
        two_warehouses.media_warehouse,
        two_warehouses.media,
    )
    assert [(line.order_line.sku, line.quantity) for line in museum.lines.all()] == [
        (two_warehouses.museum_stock.variant.sku, 2)
    ]
    assert [(line.order_line.sku, line.quantity) for line in media.lines.all()] == [
        (two_warehouses.media_stock.variant.sku, 1)
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLING
    event = order.events.get(type=OrderEventType.FULFILLMENT)
    assert (event.from_status, event.to_status) == (OrderStatus.PAID, OrderStatus.FULFILLING)
    assert ShipmentEvent.objects.filter(shipment__order=order, type="created").count() == 2


def test_fulfilling_twice_creates_nothing_new(two_warehouses):
    order = two_warehouses.paid_order()
    services.order_fulfill(order_id=order.pk)
    shipments = list(Shipment.objects.filter(order=order).values_list("pk", flat=True))
    events = OrderEvent.objects.filter(order=order).count()

    services.order_fulfill(order_id=order.pk)

    assert list(Shipment.objects.filter(order=order).values_list("pk", flat=True)) == shipments
    assert Shipment.objects.filter(order=order).count() == 2
    assert sum(s.lines.count() for s in Shipment.objects.filter(order=order)) == 2
    assert OrderEvent.objects.filter(order=order).count() == events


def test_an_unpaid_order_is_not_fulfilled(two_warehouses):
    from tests.factories import order_with_stock

    order = order_with_stock(
        channel=two_warehouses.channel, lines=[(two_warehouses.museum_stock.variant, 1)]
    )

    assert services.order_fulfill(order_id=order.pk) == []
    assert not Shipment.objects.filter(order=order).exists()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


def test_booking_the_simulated_carrier_stores_waybill_and_label(two_warehouses):
    order = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 1)])
    (shipment_id,) = services.order_fulfill(order_id=order.pk)

    shipment = services.shipment_book(shipment_id=shipment_id)
    again = services.shipment_book(shipment_id=shipment_id)

    assert shipment.status == ShipmentStatus.BOOKED
    assert shipment.waybill_number == f"SIM{shipment_id:010d}"
    assert bytes(shipment.label_pdf).startswith(b"%PDF")
    assert again.waybill_number == shipment.waybill_number
    assert Shipment.objects.get(pk=shipment_id).booking_attempts == 1
    assert ShipmentEvent.objects.filter(shipment_id=shipment_id, type="booked").count() == 1


def _booked(two_warehouses, lines=None):
    order = _paid_order(two_warehouses, lines=lines)
    for shipment_id in services.order_fulfill(order_id=order.pk):
        services.shipment_book(shipment_id=shipment_id)
    return order, _shipments(order)


def test_tracking_before_pickup_changes_nothing_but_the_events(
    two_warehouses, logistics_fee_agreements
):
    _, (_, museum) = _booked(two_warehouses)

    services.shipment_track(shipment_id=museum.pk)

    museum.refresh_from_db()
    assert museum.status == ShipmentStatus.BOOKED
    assert list(TrackingEvent.objects.filter(shipment=museum).values_list("code", flat=True)) == [
        "booked"
    ]
    assert stock_levels(two_warehouses.museum_stock) == [(10, 2)]
    assert _fees_recorded() == []


def test_pickup_ships_units_out_of_stock_and_the_last_parcel_ships_the_order(
    two_warehouses, logistics_fee_agreements, django_capture_on_commit_callbacks
):
    order, (media, museum) = _booked(two_warehouses)
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
    assert _fees_recorded() == [museum.pk]
    assert mail.outbox == []

    age_booking(media, 61)
    with django_capture_on_commit_callbacks(execute=True):
        services.shipment_track(shipment_id=media.pk)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    assert stock_levels(two_warehouses.media_stock) == [(9, 0)]
    assert _fees_recorded() == [museum.pk, media.pk]
    assert [message.subject for message in mail.outbox] == [f"订单 {order.number} 已发货"]


def test_tracking_twice_stores_each_event_once_and_ships_once(
    two_warehouses, logistics_fee_agreements
):
    _, (museum,) = _booked(two_warehouses, lines=[(two_warehouses.museum_stock.variant, 2)])
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
    assert _fees_recorded() == [museum.pk]


def test_delivery_of_every_parcel_delivers_the_order_then_it_completes(
    two_warehouses, logistics_fee_agreements, django_capture_on_commit_callbacks
):
    order, shipments = _booked(two_warehouses)
    for shipment in shipments:
        age_booking(shipment, 601)
        with django_capture_on_commit_callbacks(execute=True):
            services.shipment_track(shipment_id=shipment.pk)

    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert [s.status for s in _shipments(order)] == [ShipmentStatus.DELIVERED] * 2
    assert [m.subject for m in mail.outbox] == [
        f"订单 {order.number} 已发货",
        f"订单 {order.number} 已签收",
    ]

    assert services.orders_complete_delivered() == 0
    later = timezone.now() + timedelta(days=15)
    assert services.orders_complete_delivered(now=later) == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    assert services.orders_complete_delivered(now=later) == 0


def test_staff_ship_by_hand_needs_a_waybill(two_warehouses, staff_user, logistics_fee_agreements):
    order = _paid_order(two_warehouses, lines=[(two_warehouses.museum_stock.variant, 2)])
    (shipment_id,) = services.order_fulfill(order_id=order.pk)

    with pytest.raises(WaybillRequired):
        services.shipment_ship(shipment_id=shipment_id, user=staff_user)

    shipment = Shipment.objects.get(pk=shipment_id)
    assert (shipment.status, shipment.waybill_number) == (ShipmentStatus.PENDING, "")
    assert stock_levels(two_warehouses.museum_stock) == [(10, 2)]
    assert _fees_recorded() == []

    services.shipment_pack(shipment_id=shipment_id, user=staff_user)
    shipment = services.shipment_ship(
        shipment_id=shipment_id, user=staff_user, waybill_number="SF1234567890"
    )

    assert (shipment.status, shipment.carrier, shipment.waybill_number) == (
        ShipmentStatus.SHIPPED,
        CarrierCode.MANUAL,
        "SF1234567890",
    )
    assert stock_levels(two_warehouses.museum_stock) == [(8, 0)]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    assert list(shipment.events.values_list("type", "user")) == [
        ("created", None),
        ("packed", staff_user.pk),
        ("shipped", staff_user.pk),
    ]
    # Shipping again changes nothing.
    services.shipment_ship(shipment_id=shipment_id, user=staff_user)
    assert stock_levels(two_warehouses.museum_stock) == [(8, 0)]
    assert _fees_recorded() == [shipment_id]


def test_a_booked_shipment_keeps_its_waybill(two_warehouses, staff_user):
    _, (shipment,) = _booked(two_warehouses, lines=[(two_warehouses.museum_stock.variant, 1)])

    with pytest.raises(ShipmentStatusConflict):
        services.shipment_ship(shipment_id=shipment.pk, user=staff_user, waybill_number="OTHER1")

    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.BOOKED
    assert stock_levels(two_warehouses.museum_stock) == [(10, 1)]


def test_shipments_of_a_cancelled_order_never_ship_and_the_sweep_cancels_them(
    two_warehouses, staff_user, logistics_fee_agreements
):
    order, shipments = _booked(two_warehouses)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)

    with pytest.raises(OrderNotFulfillable):
        services.shipment_ship(shipment_id=shipments[0].pk, user=staff_user)
    assert stock_levels(two_warehouses.museum_stock, two_warehouses.media_stock) == [
        (10, 2),
        (10, 1),
    ]

    assert services.orders_closed_with_open_shipments() == [order.pk]
    assert services.order_shipments_cancel(order_id=order.pk) == 2
    assert [s.status for s in _shipments(order)] == [ShipmentStatus.CANCELLED] * 2
    assert services.orders_closed_with_open_shipments() == []
    assert _fees_recorded() == []


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
    two_warehouses, logistics_fee_agreements, django_capture_on_commit_callbacks
):
    order, shipments = _booked(two_warehouses)
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
    two_warehouses, logistics_fee_agreements, django_capture_on_commit_callbacks
):
    order, shipments = _booked(two_warehouses)
    first = shipments[0]
    age_booking(first, 601)
    with django_capture_on_commit_callbacks(execute=True):
        services.shipment_track(shipment_id=first.pk)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PARTIALLY_REFUNDED)

    assert services.orders_complete_delivered(now=timezone.now() + timedelta(days=15)) == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PARTIALLY_REFUNDED

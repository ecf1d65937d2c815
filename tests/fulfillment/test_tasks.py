from datetime import timedelta

from django.core import mail
from django.utils import timezone

from catalog.models import MovementReason
from catalog.stock.movements import stock_change
from fulfillment.models import LowStockAlert, OrderEmail, Shipment, ShipmentEvent, ShipmentStatus
from fulfillment.tasks import (
    order_fulfill,
    order_paid,
    orders_fulfill_sweep,
    shipments_track_open,
    stock_low_alerts_send,
)
from shop.orders.models import Order, OrderStatus
from tests import factories
from tests.factories.fulfillment import age_booking


def test_the_fulfil_task_run_twice_books_each_shipment_once(two_warehouses):
    order = two_warehouses.paid_order()

    first = order_fulfill.apply(args=[order.pk]).get()
    second = order_fulfill.apply(args=[order.pk]).get()

    assert len(first) == 2
    assert second == []
    assert [s.status for s in Shipment.objects.filter(order=order)] == [ShipmentStatus.BOOKED] * 2
    assert ShipmentEvent.objects.filter(shipment__order=order, type="booked").count() == 2
    assert list(Shipment.objects.values_list("booking_attempts", flat=True)) == [1, 1]


def test_the_paid_task_sends_the_payment_email_and_books_each_shipment_once(two_warehouses):
    order = two_warehouses.paid_order()

    booked = order_paid.apply(args=[order.pk]).get()
    again = order_paid.apply(args=[order.pk]).get()

    assert len(booked) == 2
    assert again == []
    assert [s.status for s in Shipment.objects.filter(order=order)] == [ShipmentStatus.BOOKED] * 2
    assert set(OrderEmail.objects.filter(order=order).values_list("kind", flat=True)) == {
        "payment_received"
    }
    assert len([m for m in mail.outbox if order.number in m.subject + m.body]) == 1


def test_the_poll_tracks_open_shipments(two_warehouses):
    order = two_warehouses.paid_order()
    order_fulfill.apply(args=[order.pk])
    for shipment in Shipment.objects.filter(order=order):
        age_booking(shipment, 61)

    assert shipments_track_open.apply(throw=True).result == 2
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    # Polled just now: the next run leaves them alone.
    assert shipments_track_open.apply(throw=True).result == 0


def test_the_poll_asks_about_each_open_parcel_once_per_sweep_interval(two_warehouses, settings):
    order = two_warehouses.paid_order()
    order_fulfill.apply(args=[order.pk])
    polled = timezone.now() - timedelta(seconds=3)
    # Asked 3 s ago, with news: to be asked again at the next sweep.
    Shipment.objects.filter(order=order).update(
        last_polled_at=polled, next_poll_at=polled + timedelta(seconds=60)
    )

    settings.SHOP_SWEEP_SECONDS = 60
    assert shipments_track_open.apply(throw=True).result == 0  # asked 3 s ago: this round
    Shipment.objects.filter(order=order).update(next_poll_at=polled + timedelta(seconds=4))
    settings.SHOP_SWEEP_SECONDS = 4
    assert shipments_track_open.apply(throw=True).result == 2  # due a round later
    assert all(s.last_polled_at > polled for s in Shipment.objects.filter(order=order))


def test_the_sweep_books_shipments_whose_booking_was_lost(two_warehouses):
    order = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 1)])
    from fulfillment.services import order_fulfill as split_only

    split_only(order_id=order.pk)
    Shipment.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    assert orders_fulfill_sweep.apply(throw=True).result == {
        "orders": 0,
        "shipments": 1,
        "cancelled": 0,
    }
    assert Shipment.objects.get().status == ShipmentStatus.BOOKED


def test_low_stock_alerts_go_to_the_partners_staff_once_a_day(two_warehouses):
    staff = factories.PartnerStaffFactory(partner=two_warehouses.museum).user
    factories.PartnerStaffFactory(partner=two_warehouses.media)
    stock_change(
        stock_id=two_warehouses.museum_stock.pk, delta=-6, reason=MovementReason.ADJUSTMENT
    )

    assert stock_low_alerts_send.apply(throw=True).result == 1
    assert stock_low_alerts_send.apply(throw=True).result == 0

    (message,) = mail.outbox
    assert message.to == [staff.email]
    assert f"{two_warehouses.museum_stock.variant.sku}" in message.body
    assert "museum-wh: 4 (<= 5)" in message.body
    alert = LowStockAlert.objects.get()
    assert (alert.stock_id, alert.quantity_available) == (two_warehouses.museum_stock.pk, 4)


def test_one_paid_order_task_books_the_simulated_carrier_as_it_splits(
    two_warehouses, django_assert_num_queries
):
    """The simulated carrier answers in this process: its waybills are written with the
    shipments, in the split's transaction, and no booking task follows. Pinned: the
    payment e-mail (the order and whether the e-mail was sent, in one statement; its
    lines, the e-mail's row and event) and the split (the order locked with whether it
    has shipments: none, so none are read; its held units read, the shipments, their
    lines, their created and booked events, the bookings in one statement, the order's
    status and event),
    with the savepoints the test's transaction adds."""
    order = two_warehouses.paid_order()

    with django_assert_num_queries(PAID_TASK_QUERIES):
        booked = order_paid.apply(args=[order.pk]).get()

    shipments = list(Shipment.objects.filter(order=order))
    assert booked == [s.pk for s in shipments]
    assert [(s.status, s.waybill_number, s.booking_attempts) for s in shipments] == [
        (ShipmentStatus.BOOKED, f"SIM{s.pk:010d}", 1) for s in shipments
    ]
    assert all(s.booked_at is not None for s in shipments)
    events = ShipmentEvent.objects.filter(shipment__order=order).order_by("shipment_id", "id")
    assert [(e.shipment_id, e.type, e.from_status, e.to_status) for e in events] == [
        row
        for s in shipments
        for row in [(s.pk, "created", "", "pending"), (s.pk, "booked", "pending", "booked")]
    ]
    assert ShipmentEvent.objects.get(shipment=shipments[0], type="booked").data == {
        "waybill_number": shipments[0].waybill_number
    }
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLING


PAID_TASK_QUERIES = 16


def test_a_packed_shipment_waiting_for_its_waybill_is_booked_and_stays_packed(two_warehouses):
    from fulfillment import services

    order = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 1)])
    (shipment_id,) = services.order_fulfill(order_id=order.pk)
    Shipment.objects.filter(pk=shipment_id).update(status=ShipmentStatus.PACKED)

    assert order_fulfill.apply(args=[order.pk]).get() == [shipment_id]

    shipment = Shipment.objects.get(pk=shipment_id)
    assert (shipment.status, shipment.waybill_number) == (
        ShipmentStatus.PACKED,
        f"SIM{shipment_id:010d}",
    )
    event = ShipmentEvent.objects.get(shipment=shipment, type="booked")
    assert (event.from_status, event.to_status) == ("packed", "packed")


def test_a_taken_waybill_leaves_its_shipment_to_its_booking_and_the_others_are_booked(
    two_warehouses, monkeypatch
):
    """A number another shipment holds fails only that shipment's booking: the split
    writes the others' waybills, and ``shipment_book`` records the one refused."""
    from fulfillment import services
    from fulfillment.carriers.base import Booking
    from fulfillment.carriers.simulated import SimulatedCarrier

    before = two_warehouses.paid_order(lines=[(two_warehouses.media_stock.variant, 1)])
    (held,) = services.order_fulfill(order_id=before.pk)
    Shipment.objects.filter(pk=held).update(
        status=ShipmentStatus.SHIPPED, waybill_number="SIM-TAKEN"
    )
    book = SimulatedCarrier.book

    def book_taken_for_the_museum(self, shipment):
        if shipment.warehouse_id == museum_warehouse:
            return Booking(waybill_number="SIM-TAKEN", label_pdf=b"")
        return book(self, shipment)

    museum_warehouse = two_warehouses.museum_stock.warehouse_id
    monkeypatch.setattr(SimulatedCarrier, "book", book_taken_for_the_museum)
    order = two_warehouses.paid_order()

    booked = order_paid.apply(args=[order.pk]).get()

    by_warehouse = {s.warehouse_id: s for s in Shipment.objects.filter(order=order)}
    refused = by_warehouse.pop(museum_warehouse)
    (other,) = by_warehouse.values()
    assert booked == [other.pk]
    assert (other.status, other.waybill_number) == (ShipmentStatus.BOOKED, f"SIM{other.pk:010d}")
    assert (refused.status, refused.waybill_number) == (ShipmentStatus.PENDING, "")
    assert "SIM-TAKEN, already in use" in refused.booking_error
    assert Shipment.objects.get(pk=held).waybill_number == "SIM-TAKEN"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLING
    assert not ShipmentEvent.objects.filter(shipment=refused, type="booked").exists()


def test_one_number_given_to_two_shipments_of_a_split_books_one_and_records_the_other(
    two_warehouses, monkeypatch
):
    """A carrier answering the same number for both of an order's shipments: one
    statement cannot see its own rows, so the split books the first and leaves the
    second to ``shipment_book``, which records it, rather than failing the whole split."""
    from fulfillment.carriers.base import Booking
    from fulfillment.carriers.simulated import SimulatedCarrier

    monkeypatch.setattr(
        SimulatedCarrier, "book", lambda self, shipment: Booking("SIM-TWICE", label_pdf=b"")
    )
    order = two_warehouses.paid_order()

    booked = order_paid.apply(args=[order.pk]).get()

    shipments = list(Shipment.objects.filter(order=order).order_by("pk"))
    assert len(shipments) == 2
    (written,) = [s for s in shipments if s.pk in booked]
    (refused,) = [s for s in shipments if s.pk not in booked]
    assert (written.status, written.waybill_number) == (ShipmentStatus.BOOKED, "SIM-TWICE")
    assert (refused.status, refused.waybill_number) == (ShipmentStatus.PENDING, "")
    assert "SIM-TWICE, already in use" in refused.booking_error
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLING


def test_a_waybill_taken_by_another_shipment_is_recorded_not_booked_twice(two_warehouses):
    """No other shipment can hold a simulated number unless its row was written by hand:
    the split then leaves that shipment to ``shipment_book``, which records it."""
    from fulfillment import services

    order = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 1)])
    (shipment_id,) = services.order_fulfill(order_id=order.pk)
    other = two_warehouses.paid_order(lines=[(two_warehouses.media_stock.variant, 1)])
    (other_id,) = services.order_fulfill(order_id=other.pk)
    Shipment.objects.filter(pk=other_id).update(
        status=ShipmentStatus.SHIPPED, waybill_number=f"SIM{shipment_id:010d}"
    )

    assert order_fulfill.apply(args=[order.pk]).get() == []

    shipment = Shipment.objects.get(pk=shipment_id)
    assert (shipment.waybill_number, shipment.status) == ("", ShipmentStatus.PENDING)
    assert "already in use" in shipment.booking_error

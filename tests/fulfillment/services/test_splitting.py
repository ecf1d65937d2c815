"""Splitting a paid order into one shipment per warehouse, once."""

from fulfillment import services
from fulfillment.models import (
    CarrierCode,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
)
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from tests.fulfillment.conftest import shipments_of


def test_paid_order_is_split_into_one_shipment_per_warehouse(two_warehouses):
    order = two_warehouses.paid_order()

    to_book = services.order_fulfill(order_id=order.pk)

    media, museum = shipments_of(order)
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


def test_a_split_that_saw_no_shipment_reads_them_once_the_order_has_moved_on(
    two_warehouses, monkeypatch
):
    """A split that waited for another's lock sees the order's row as that one left it,
    but its "has shipments" as it was before: the moved-on order makes it read them, so
    a hold left off a shipment joins the warehouse's shipment instead of a second one."""
    from fulfillment.models import ShipmentLine
    from fulfillment.services import splitting

    order = two_warehouses.paid_order()
    services.order_fulfill(order_id=order.pk)
    museum = Shipment.objects.get(order=order, warehouse=two_warehouses.museum_warehouse)
    ShipmentLine.objects.filter(shipment=museum).delete()  # its hold on no shipment again
    locked = splitting._order_locked()

    class SeenBeforeTheOtherCommitted:
        def get(self, **slots):
            row = locked.get(**slots)
            row.has_shipments = False
            return row

    monkeypatch.setattr(splitting, "_order_locked", SeenBeforeTheOtherCommitted)

    services.order_fulfill(order_id=order.pk)

    assert Shipment.objects.filter(order=order).count() == 2
    museum_lines = ShipmentLine.objects.filter(shipment=museum)
    assert [(line.order_line.sku, line.quantity) for line in museum_lines] == [
        (two_warehouses.museum_stock.variant.sku, 2)
    ]

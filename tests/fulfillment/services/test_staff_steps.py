"""Staff shipping by hand: a waybill is needed, and a booked shipment keeps its own."""

import pytest

from fulfillment import services
from fulfillment.errors import ShipmentStatusConflict, WaybillRequired
from fulfillment.models import (
    CarrierCode,
    Shipment,
    ShipmentStatus,
)
from shop.orders.models import Order, OrderStatus
from tests.fulfillment.conftest import stock_levels


def test_staff_ship_by_hand_needs_a_waybill(two_warehouses, staff_user, fees_charged):
    order = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 2)])
    (shipment_id,) = services.order_fulfill(order_id=order.pk)

    with pytest.raises(WaybillRequired):
        services.shipment_ship(shipment_id=shipment_id, user=staff_user)

    shipment = Shipment.objects.get(pk=shipment_id)
    assert (shipment.status, shipment.waybill_number) == (ShipmentStatus.PENDING, "")
    assert stock_levels(two_warehouses.museum_stock) == [(10, 2)]
    assert fees_charged() == []

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
    assert fees_charged() == [shipment_id]


def test_a_booked_shipment_keeps_its_waybill(two_warehouses, staff_user):
    _, (shipment,) = two_warehouses.booked_order(lines=[(two_warehouses.museum_stock.variant, 1)])

    with pytest.raises(ShipmentStatusConflict):
        services.shipment_ship(shipment_id=shipment.pk, user=staff_user, waybill_number="OTHER1")

    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.BOOKED
    assert stock_levels(two_warehouses.museum_stock) == [(10, 1)]

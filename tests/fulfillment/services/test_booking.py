"""Booking a shipment with the carrier: a waybill and a label, once."""

from fulfillment import services
from fulfillment.labels import label_render
from fulfillment.models import (
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
)


def test_booking_the_simulated_carrier_stores_its_waybill_and_no_label(two_warehouses):
    """The simulated carrier keeps no label: the staff's download draws it when asked
    (test_admin.py, test_apis.py)."""
    order = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 1)])
    (shipment_id,) = services.order_fulfill(order_id=order.pk)

    shipment = services.shipment_book(shipment_id=shipment_id)
    again = services.shipment_book(shipment_id=shipment_id)

    assert shipment.status == ShipmentStatus.BOOKED
    assert shipment.waybill_number == f"SIM{shipment_id:010d}"
    assert bytes(shipment.label_pdf) == b""
    assert label_render(shipment, shipment.waybill_number).startswith(b"%PDF")
    assert again.waybill_number == shipment.waybill_number
    assert Shipment.objects.get(pk=shipment_id).booking_attempts == 1
    assert ShipmentEvent.objects.filter(shipment_id=shipment_id, type="booked").count() == 1

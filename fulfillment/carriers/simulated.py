"""A carrier that lives in this process: for development, the demo and the tests.

Waybill numbers come from the shipment's id, so booking twice gives the same number.
It keeps no label: the staff's label download draws one from the shipment.
The tracking history is a pure function of the booking time and now: picked up
``SHOP_SIMULATED_PICKUP_SECONDS`` after booking, in transit half-way, delivered
``SHOP_SIMULATED_DELIVERY_SECONDS`` after booking.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from fulfillment.carriers.base import Booking, CarrierPermanentError, TrackingUpdate
from fulfillment.models import CarrierCode, Shipment, TrackingCode

DEFAULT_PICKUP_SECONDS = 20
DEFAULT_DELIVERY_SECONDS = 90


def simulated_timings() -> tuple[int, int]:
    pickup = int(getattr(settings, "SHOP_SIMULATED_PICKUP_SECONDS", DEFAULT_PICKUP_SECONDS))
    delivery = int(getattr(settings, "SHOP_SIMULATED_DELIVERY_SECONDS", DEFAULT_DELIVERY_SECONDS))
    return pickup, max(delivery, pickup)


class SimulatedCarrier:
    code = CarrierCode.SIMULATED.value
    # Nothing to wait for: a paid order's shipments are booked as they are made.
    books_in_process = True

    def book(self, shipment: Shipment) -> Booking:
        """The waybill, without a stored label: the staff's label download draws it
        (``fulfillment.labels``) when asked, as it does for a parcel shipped by hand."""
        return Booking(waybill_number=f"SIM{shipment.pk:010d}", label_pdf=b"")

    def track(self, shipment: Shipment, now: datetime | None = None) -> list[TrackingUpdate]:
        if shipment.booked_at is None:
            raise CarrierPermanentError("The simulated carrier has no booking for this shipment.")
        now = now or timezone.now()
        pickup, delivery = simulated_timings()
        origin = shipment.warehouse.city or shipment.warehouse.code
        destination = (shipment.order.shipping_address or {}).get("city", "")
        start = shipment.booked_at
        steps = [
            (0, TrackingCode.BOOKED, origin, "已下单 等待揽收", "Waybill created"),
            (pickup, TrackingCode.PICKED_UP, origin, "快递员已揽收", "Picked up by the courier"),
            (
                (pickup + delivery) // 2,
                TrackingCode.IN_TRANSIT,
                "",
                "运输中",
                "In transit",
            ),
            (delivery, TrackingCode.DELIVERED, destination, "已签收", "Delivered"),
        ]
        return [
            TrackingUpdate(
                code=code,
                occurred_at=start + timedelta(seconds=offset),
                location=location,
                description_zh=zh,
                description_en=en,
            )
            for offset, code, location, zh, en in steps
            if start + timedelta(seconds=offset) <= now
        ]

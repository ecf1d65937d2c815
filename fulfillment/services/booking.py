"""Booking the carrier for a shipment: outside any transaction, retried on temporary errors."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfillment.carriers import (
    CarrierPermanentError,
    carrier_get,
)
from fulfillment.errors import (
    ShipmentStatusConflict,
)
from fulfillment.models import (
    CarrierCode,
    Shipment,
    ShipmentEventType,
    ShipmentStatus,
)
from fulfillment.services.shipment_state import (
    CLOSED_ORDER_STATUSES,
    shipment_event_write,
    shipment_lock,
    shipment_status_set,
)
from shop.core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)


# Booking the carrier


def shipment_book(*, shipment_id: int) -> Shipment:
    """Ask the carrier for a waybill and label; idempotent once a waybill is stored.

    A temporary carrier failure propagates (the task retries it); a permanent one is
    recorded on the shipment, which then waits for staff to ship it by hand.
    """
    shipment = Shipment.objects.select_related("order", "warehouse").get(pk=shipment_id)
    if (
        shipment.waybill_number
        or shipment.status not in (ShipmentStatus.PENDING, ShipmentStatus.PACKED)
        or shipment.booking_error
        or shipment.carrier == CarrierCode.MANUAL
        or shipment.order.status in CLOSED_ORDER_STATUSES
    ):
        return shipment
    Shipment.objects.filter(pk=shipment.pk).update(booking_attempts=F("booking_attempts") + 1)
    try:
        booking = carrier_get(shipment.carrier).book(shipment)
    except CarrierPermanentError as exc:
        return _shipment_booking_failed(shipment_id=shipment.pk, reason=str(exc))
    with transaction.atomic():
        _order, shipment = shipment_lock(shipment_id)
        if shipment.waybill_number or shipment.status not in (
            ShipmentStatus.PENDING,
            ShipmentStatus.PACKED,
        ):
            return shipment
        new_status = (
            ShipmentStatus.BOOKED
            if shipment.status == ShipmentStatus.PENDING
            else ShipmentStatus.PACKED
        )
        try:
            with transaction.atomic():
                shipment_status_set(
                    shipment,
                    new_status,
                    event_type=ShipmentEventType.BOOKED,
                    data={"waybill_number": booking.waybill_number},
                    waybill_number=booking.waybill_number,
                    label_pdf=booking.label_pdf,
                    booked_at=timezone.now(),
                )
        except IntegrityError:
            shipment.refresh_from_db()
            return _shipment_booking_failed(
                shipment_id=shipment.pk,
                reason=f"The carrier gave waybill {booking.waybill_number}, already in use.",
            )
    return shipment


@transaction.atomic
def _shipment_booking_failed(*, shipment_id: int, reason: str) -> Shipment:
    _order, shipment = shipment_lock(shipment_id)
    if shipment.waybill_number:
        return shipment
    Shipment.objects.filter(pk=shipment.pk).update(
        booking_error=reason[:500], updated_at=timezone.now()
    )
    shipment.booking_error = reason[:500]
    shipment_event_write(shipment, ShipmentEventType.BOOKING_FAILED, data={"reason": reason[:500]})
    logger.warning("booking shipment %s failed for good: %s", shipment.pk, reason)
    return shipment


@transaction.atomic
def shipment_booking_retry(*, shipment_id: int, user: Any = None) -> Shipment:
    """Staff clear a recorded booking failure so the carrier is asked again."""
    _order, shipment = shipment_lock(shipment_id)
    if shipment.waybill_number or shipment.status not in (
        ShipmentStatus.PENDING,
        ShipmentStatus.PACKED,
    ):
        raise ShipmentStatusConflict(_("The shipment already has a waybill."))
    Shipment.objects.filter(pk=shipment.pk).update(booking_error="", updated_at=timezone.now())
    shipment.booking_error = ""
    enqueue_on_commit("fulfillment.shipment_book", shipment.pk)
    return shipment

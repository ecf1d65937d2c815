"""Following parcels: asking the carrier and storing each tracking event once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fulfillment.carriers import (
    CarrierPermanentError,
    TrackingUpdate,
    carrier_get,
)
from fulfillment.models import (
    OPEN_STATUSES,
    TRACKED_STATUSES,
    CarrierCode,
    Shipment,
    ShipmentStatus,
    TrackingCode,
    TrackingEvent,
)
from fulfillment.services.shipment_state import CLOSED_ORDER_STATUSES, MOVED_CODES
from fulfillment.services.staff_steps import shipment_deliver, shipment_ship
from fulfillment.services.sweeps import order_shipments_cancel
from shop.core.tasks import enqueue
from shop.orders.models import Order

logger = logging.getLogger(__name__)


# Tracking


def shipment_track(*, shipment_id: int) -> Shipment:
    """Read the carrier's tracking history, store new events, and ship or deliver.

    A temporary carrier failure propagates (the task retries); a permanent one is
    logged and the shipment waits for the next poll.
    """
    shipment = Shipment.objects.select_related("order", "warehouse").get(pk=shipment_id)
    if shipment.status not in TRACKED_STATUSES or shipment.carrier == CarrierCode.MANUAL:
        return shipment
    if not shipment.waybill_number:
        return shipment
    try:
        updates = carrier_get(shipment.carrier).track(shipment)
    except CarrierPermanentError as exc:
        logger.warning("tracking shipment %s failed: %s", shipment.pk, exc)
        Shipment.objects.filter(pk=shipment.pk).update(last_polled_at=timezone.now())
        return shipment
    tracking_events_store(shipment=shipment, updates=updates)
    codes = {update.code for update in updates}
    if shipment.order.status in CLOSED_ORDER_STATUSES and shipment.status in OPEN_STATUSES:
        # The order was cancelled while the parcel waited: it must not ship.
        order_shipments_cancel(order_id=shipment.order_id)
        shipment.refresh_from_db()
        return shipment
    if codes & MOVED_CODES and shipment.status in OPEN_STATUSES:
        moved_at = min(u.occurred_at for u in updates if u.code in MOVED_CODES)
        shipment = shipment_ship(shipment_id=shipment.pk, occurred_at=moved_at)
    if TrackingCode.DELIVERED in codes and shipment.status == ShipmentStatus.SHIPPED:
        delivered_at = max(u.occurred_at for u in updates if u.code == TrackingCode.DELIVERED)
        shipment = shipment_deliver(shipment_id=shipment.pk, occurred_at=delivered_at)
    return shipment


@transaction.atomic
def tracking_events_store(*, shipment: Shipment, updates: list[TrackingUpdate]) -> int:
    """Store the events not seen before; returns how many were new."""
    before = TrackingEvent.objects.filter(shipment=shipment).count()
    TrackingEvent.objects.bulk_create(
        [
            TrackingEvent(
                shipment=shipment,
                code=update.code,
                occurred_at=update.occurred_at,
                location=update.location[:200],
                description_zh=update.description_zh[:300],
                description_en=update.description_en[:300],
            )
            for update in updates
        ],
        ignore_conflicts=True,
    )
    Shipment.objects.filter(pk=shipment.pk).update(last_polled_at=timezone.now())
    return TrackingEvent.objects.filter(shipment=shipment).count() - before


def shipments_to_track(
    *, now: datetime | None = None, min_interval_seconds: float | None = None
) -> list[int]:
    """Shipments with a carrier waybill whose carrier may have news: not polled in the
    last half of the sweeps' interval (``SHOP_SWEEP_SECONDS``; 30 s at the default
    minute), so each sweep asks once about each open parcel, whatever the interval."""
    if min_interval_seconds is None:
        min_interval_seconds = settings.SHOP_SWEEP_SECONDS / 2
    now = now or timezone.now()
    recently = now - timedelta(seconds=min_interval_seconds)
    queryset = (
        Shipment.objects.filter(status__in=TRACKED_STATUSES)
        .exclude(carrier=CarrierCode.MANUAL)
        .exclude(waybill_number="")
        .exclude(last_polled_at__gt=recently)
        .order_by("last_polled_at", "id")
    )
    return list(queryset.values_list("pk", flat=True)[:500])


def order_tracking_refresh(order: Order, *, min_interval_seconds: int = 15) -> int:
    """Ask the carriers for news about the order's parcels (not polled in the last seconds).

    Only when tasks run in-process (the embedded default, which has no beat to poll):
    there the shopper looking at the order is what moves the simulated parcels along.
    With workers, the periodic poll does it. Returns how many shipments were polled.
    """
    if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return 0
    recently = timezone.now() - timedelta(seconds=min_interval_seconds)
    ids = list(
        order.shipments.filter(status__in=TRACKED_STATUSES)
        .exclude(carrier=CarrierCode.MANUAL)
        .exclude(waybill_number="")
        .exclude(last_polled_at__gt=recently)
        .values_list("pk", flat=True)
    )
    for shipment_id in ids:
        enqueue("fulfillment.shipment_track", shipment_id)
    return len(ids)

"""Following parcels: asking the carrier and storing each tracking event once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
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


def shipment_track(*, shipment_id: int, now: datetime | None = None) -> Shipment:
    """Read the carrier's tracking history, store new events, and ship or deliver;
    set when the periodic poll asks again (:func:`tracking_next_poll`).

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
        _polled(shipment, now=now or timezone.now(), news=False)
        return shipment
    tracking_events_store(shipment=shipment, updates=updates, now=now)
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
def tracking_events_store(
    *, shipment: Shipment, updates: list[TrackingUpdate], now: datetime | None = None
) -> int:
    """Store the events not seen before and when to poll again; returns how many were new."""
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
    new = TrackingEvent.objects.filter(shipment=shipment).count() - before
    _polled(shipment, now=now or timezone.now(), news=new > 0)
    return new


def tracking_next_poll(*, last_polled_at: datetime | None, now: datetime, news: bool) -> datetime:
    """When the periodic poll asks the carrier about a parcel polled ``now``: at the
    next sweep (``SHOP_SWEEP_SECONDS``) after news or a first poll; otherwise after
    twice the time since the poll before, at most ``SHOP_TRACKING_POLL_MAX_SECONDS``.
    A parcel waiting for its pickup, or days on the road, is asked about a few times
    an hour at most instead of every sweep; news brings the sweeps back."""
    sweep = float(settings.SHOP_SWEEP_SECONDS)
    if news or last_polled_at is None:
        wait = sweep
    else:
        longest = max(float(settings.SHOP_TRACKING_POLL_MAX_SECONDS), sweep)
        wait = min(max(2 * (now - last_polled_at).total_seconds(), sweep), longest)
    return now + timedelta(seconds=wait)


def _polled(shipment: Shipment, *, now: datetime, news: bool) -> None:
    next_poll_at = tracking_next_poll(last_polled_at=shipment.last_polled_at, now=now, news=news)
    Shipment.objects.filter(pk=shipment.pk).update(last_polled_at=now, next_poll_at=next_poll_at)


def shipments_to_track(*, now: datetime | None = None) -> list[int]:
    """Shipments with a carrier waybill whose next poll is due (:func:`tracking_next_poll`;
    never polled: at once), the longest due first, at most 500. Due within half a
    sweep (``SHOP_SWEEP_SECONDS``) counts: a parcel to be asked about at every sweep is
    asked at every sweep, whatever the interval."""
    now = now or timezone.now()
    due = now + timedelta(seconds=float(settings.SHOP_SWEEP_SECONDS) / 2)
    queryset = (
        Shipment.objects.filter(status__in=TRACKED_STATUSES)
        .exclude(carrier=CarrierCode.MANUAL)
        .exclude(waybill_number="")
        .exclude(next_poll_at__gt=due)
        .order_by(F("next_poll_at").asc(nulls_first=True), "id")
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

"""Shipments: split a paid order, book the carrier, pack, ship, track, deliver, complete.

Locks are always taken in the same order -- the order row, then its shipments, then
reservations and stock in stock primary-key order -- so concurrent fulfilment runs,
carrier polls and staff actions wait for each other instead of deadlocking.

Calls to a carrier happen outside any transaction: a slow carrier never holds a lock.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.services import stock_ship
from fulfillment.carriers import (
    CarrierPermanentError,
    TrackingUpdate,
    carrier_get,
)
from fulfillment.errors import (
    OrderNotFulfillable,
    ShipmentStatusConflict,
    WaybillRequired,
    WaybillTaken,
)
from fulfillment.models import (
    OPEN_STATUSES,
    TRACKED_STATUSES,
    CarrierCode,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentEvent,
    ShipmentEventType,
    ShipmentLine,
    ShipmentStatus,
    TrackingCode,
    TrackingEvent,
)
from shop.checkout.models import Reservation, ReservationStatus
from shop.core.hooks import hooks
from shop.core.permissions import signed_in
from shop.core.tasks import enqueue, enqueue_on_commit
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.services import order_lock, order_status_set

logger = logging.getLogger(__name__)

# Orders whose units may still be split into shipments and sent.
FULFILLABLE_ORDER_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.FULFILLING,
    OrderStatus.PARTIALLY_REFUNDED,
)
SHIPPABLE_ORDER_STATUSES = (*FULFILLABLE_ORDER_STATUSES, OrderStatus.SHIPPED)
CLOSED_ORDER_STATUSES = (OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.EXPIRED)
MOVED_CODES = {
    TrackingCode.PICKED_UP,
    TrackingCode.IN_TRANSIT,
    TrackingCode.OUT_FOR_DELIVERY,
    TrackingCode.DELIVERED,
}


def carrier_default() -> str:
    """The carrier new shipments book with (``SHOP_CARRIER``: simulated or express)."""
    return str(getattr(settings, "SHOP_CARRIER", CarrierCode.SIMULATED))


def shipment_event_write(
    shipment: Shipment,
    type: str,
    *,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    user: Any = None,
) -> ShipmentEvent:
    return ShipmentEvent.objects.create(
        shipment=shipment,
        type=type,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        user=signed_in(user),
    )


def _shipment_status_set(
    shipment: Shipment,
    new_status: str,
    *,
    event_type: str,
    user: Any = None,
    data: dict[str, Any] | None = None,
    **changes: Any,
) -> Shipment:
    """Change a locked shipment's status, conditional on the status the caller saw."""
    current = shipment.status
    changes["status"] = new_status
    changes["updated_at"] = timezone.now()
    if Shipment.objects.filter(pk=shipment.pk, status=current).update(**changes) != 1:
        raise ShipmentStatusConflict(
            _('The shipment changed meanwhile; its status is no longer "%(status)s".')
            % {"status": ShipmentStatus(current).label}
        )
    for field, value in changes.items():
        setattr(shipment, field, value)
    shipment_event_write(
        shipment, event_type, from_status=current, to_status=new_status, data=data, user=user
    )
    return shipment


def _shipment_lock(shipment_id: int) -> tuple[Order, Shipment]:
    """Lock the order, then the shipment (the project-wide lock order)."""
    order_id = Shipment.objects.values_list("order_id", flat=True).get(pk=shipment_id)
    order = order_lock(order_id)
    shipment = (
        Shipment.objects.select_for_update(of=("self",), no_key=True)
        .select_related("warehouse")
        .get(pk=shipment_id)
    )
    return order, shipment


# Splitting an order into shipments


@transaction.atomic
def order_fulfill(*, order_id: int) -> list[int]:
    """Group the order's paid, unshipped units by warehouse into shipments.

    Idempotent: units already on a shipment are skipped, and a unique constraint on
    (order, warehouse) means even two runs racing past the order lock cannot create a
    warehouse's shipment twice. Returns the shipments that still need a waybill.
    """
    order = order_lock(order_id)
    if order.status not in FULFILLABLE_ORDER_STATUSES:
        return []
    reservations = (
        Reservation.objects.filter(
            order_line__order=order,
            status=ReservationStatus.CONFIRMED,
            shipment_line__isnull=True,
        )
        .select_related("stock__warehouse")
        .order_by("stock__warehouse_id", "id")
    )
    by_warehouse: dict[int, list[Reservation]] = defaultdict(list)
    for reservation in reservations:
        by_warehouse[reservation.stock.warehouse_id].append(reservation)
    created_ids = []
    for warehouse_id, held in by_warehouse.items():
        warehouse = held[0].stock.warehouse
        shipment, created = Shipment.objects.get_or_create(
            order=order,
            warehouse=warehouse,
            defaults={"partner_id": warehouse.partner_id, "carrier": carrier_default()},
        )
        if shipment.status not in OPEN_STATUSES:
            logger.warning(
                "order %s: units in warehouse %s but its shipment %s is %s",
                order.pk,
                warehouse_id,
                shipment.pk,
                shipment.status,
            )
            continue
        ShipmentLine.objects.bulk_create(
            ShipmentLine(
                shipment=shipment,
                order_line_id=reservation.order_line_id,
                reservation=reservation,
                quantity=reservation.quantity,
            )
            for reservation in held
        )
        if created:
            created_ids.append(shipment.pk)
            shipment_event_write(
                shipment,
                ShipmentEventType.CREATED,
                to_status=shipment.status,
                data={"units": sum(reservation.quantity for reservation in held)},
            )
    if order.status == OrderStatus.PAID and order.shipments.exists():
        order_status_set(
            order,
            OrderStatus.FULFILLING,
            event_type=OrderEventType.FULFILLMENT,
            data={"shipments": created_ids},
        )
    return list(
        order.shipments.filter(
            status__in=[ShipmentStatus.PENDING, ShipmentStatus.PACKED],
            waybill_number="",
            booking_error="",
        )
        .exclude(carrier=CarrierCode.MANUAL)
        .values_list("pk", flat=True)
    )


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
        _order, shipment = _shipment_lock(shipment_id)
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
                _shipment_status_set(
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
    _order, shipment = _shipment_lock(shipment_id)
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
    _order, shipment = _shipment_lock(shipment_id)
    if shipment.waybill_number or shipment.status not in (
        ShipmentStatus.PENDING,
        ShipmentStatus.PACKED,
    ):
        raise ShipmentStatusConflict(_("The shipment already has a waybill."))
    Shipment.objects.filter(pk=shipment.pk).update(booking_error="", updated_at=timezone.now())
    shipment.booking_error = ""
    enqueue_on_commit("fulfillment.shipment_book", shipment.pk)
    return shipment


# Staff steps


@transaction.atomic
def shipment_pack(*, shipment_id: int, user: Any = None) -> Shipment:
    """The parcel is packed and waits for the courier. Packing twice changes nothing."""
    order, shipment = _shipment_lock(shipment_id)
    if shipment.status == ShipmentStatus.PACKED:
        return shipment
    if shipment.status not in (ShipmentStatus.PENDING, ShipmentStatus.BOOKED):
        raise ShipmentStatusConflict(
            _('A shipment with status "%(status)s" cannot be packed.')
            % {"status": ShipmentStatus(shipment.status).label}
        )
    if order.status not in SHIPPABLE_ORDER_STATUSES:
        raise OrderNotFulfillable(
            _('The order\'s status is "%(status)s"; its shipments cannot be packed.')
            % {"status": OrderStatus(order.status).label}
        )
    return _shipment_status_set(
        shipment,
        ShipmentStatus.PACKED,
        event_type=ShipmentEventType.PACKED,
        user=user,
        packed_at=timezone.now(),
    )


@transaction.atomic
def shipment_ship(
    *,
    shipment_id: int,
    user: Any = None,
    waybill_number: str = "",
    occurred_at: datetime | None = None,
) -> Shipment:
    """The parcel left the warehouse: its held units leave stock as a sale.

    Called when the carrier reports the pick-up, or by staff (with the waybill when
    the carrier was not booked through us). The partner ledger records the logistics
    fee in the same transaction. Idempotent: a shipped shipment is returned as is.
    """
    order, shipment = _shipment_lock(shipment_id)
    if shipment.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
        return shipment
    if shipment.status == ShipmentStatus.CANCELLED:
        raise ShipmentStatusConflict(_("A cancelled shipment cannot ship."))
    if order.status not in SHIPPABLE_ORDER_STATUSES:
        raise OrderNotFulfillable(
            _('The order\'s status is "%(status)s"; nothing of it may ship.')
            % {"status": OrderStatus(order.status).label}
        )
    waybill_number = waybill_number.strip()
    changes: dict[str, Any] = {}
    if waybill_number and waybill_number != shipment.waybill_number:
        if shipment.waybill_number:
            raise ShipmentStatusConflict(
                _("The shipment is booked with waybill %(waybill)s already.")
                % {"waybill": shipment.waybill_number},
                fields={
                    "waybill_number": [
                        _("Booked as %(waybill)s.") % {"waybill": shipment.waybill_number}
                    ]
                },
            )
        if Shipment.objects.filter(
            carrier=CarrierCode.MANUAL, waybill_number=waybill_number
        ).exists():
            raise WaybillTaken(fields={"waybill_number": [_("Already used by another shipment.")]})
        changes.update(waybill_number=waybill_number, carrier=CarrierCode.MANUAL)
    elif not shipment.waybill_number:
        raise WaybillRequired(fields={"waybill_number": [_("This field is required.")]})

    reservations = (
        Reservation.objects.select_for_update(of=("self",), no_key=True)
        .filter(shipment_line__shipment=shipment)
        .order_by("stock_id", "id")
    )
    units = 0
    for reservation in reservations:
        if reservation.status != ReservationStatus.CONFIRMED:
            continue  # released by a refund before shipping: those units stay
        stock_ship(
            stock_id=reservation.stock_id,
            quantity=reservation.quantity,
            reference=order.number or f"order-{order.pk}",
            user=user,
        )
        reservation.status = ReservationStatus.SHIPPED
        reservation.save(update_fields=["status", "updated_at"])
        units += reservation.quantity
    shipped_at = occurred_at or timezone.now()
    _shipment_status_set(
        shipment,
        ShipmentStatus.SHIPPED,
        event_type=ShipmentEventType.SHIPPED,
        user=user,
        data={"units": units, "by": "staff" if user is not None else "carrier"},
        shipped_at=shipped_at,
        **changes,
    )
    hooks().shipment_shipped(shipment=shipment)
    _order_shipped_if_complete(order, user=user)
    return shipment


def _order_shipped_if_complete(order: Order, *, user: Any = None) -> None:
    waiting = order.shipments.filter(status__in=OPEN_STATUSES).exists()
    unsplit = Reservation.objects.filter(
        order_line__order=order,
        status=ReservationStatus.CONFIRMED,
        shipment_line__isnull=True,
    ).exists()
    if waiting or unsplit or order.status == OrderStatus.SHIPPED:
        return
    if order.status in FULFILLABLE_ORDER_STATUSES:
        order_status_set(
            order, OrderStatus.SHIPPED, user=user, event_type=OrderEventType.FULFILLMENT
        )
        enqueue_on_commit("fulfillment.order_email_send", order.pk, "shipped")


@transaction.atomic
def shipment_deliver(
    *, shipment_id: int, user: Any = None, occurred_at: datetime | None = None
) -> Shipment:
    """The carrier (or staff, for hand-shipped parcels) reports the parcel delivered."""
    order, shipment = _shipment_lock(shipment_id)
    if shipment.status == ShipmentStatus.DELIVERED:
        return shipment
    if shipment.status != ShipmentStatus.SHIPPED:
        raise ShipmentStatusConflict(
            _('A shipment with status "%(status)s" cannot be delivered.')
            % {"status": ShipmentStatus(shipment.status).label}
        )
    _shipment_status_set(
        shipment,
        ShipmentStatus.DELIVERED,
        event_type=ShipmentEventType.DELIVERED,
        user=user,
        delivered_at=occurred_at or timezone.now(),
    )
    pending = order.shipments.exclude(
        status__in=[ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED]
    ).exists()
    if not pending and order.status in (OrderStatus.SHIPPED, OrderStatus.PARTIALLY_REFUNDED):
        order_status_set(
            order, OrderStatus.DELIVERED, user=user, event_type=OrderEventType.FULFILLMENT
        )
        enqueue_on_commit("fulfillment.order_email_send", order.pk, "delivered")
    return shipment


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


# Sweeps and completion


def orders_unfulfilled(*, older_than_seconds: int = 60, now: datetime | None = None) -> list[int]:
    """Paid orders that have no shipment a minute after payment: their task was lost."""
    now = now or timezone.now()
    return list(
        Order.objects.filter(
            status=OrderStatus.PAID, paid_at__lt=now - timedelta(seconds=older_than_seconds)
        )
        .filter(
            Exists(
                Reservation.objects.filter(
                    order_line__order=OuterRef("pk"),
                    status=ReservationStatus.CONFIRMED,
                    shipment_line__isnull=True,
                )
            )
        )
        .order_by("paid_at")
        .values_list("pk", flat=True)[:500]
    )


def shipments_unbooked(*, older_than_seconds: int = 60, now: datetime | None = None) -> list[int]:
    """Shipments still without a waybill a while after creation (their booking was lost)."""
    now = now or timezone.now()
    return list(
        Shipment.objects.filter(
            status__in=[ShipmentStatus.PENDING, ShipmentStatus.PACKED],
            waybill_number="",
            booking_error="",
            created_at__lt=now - timedelta(seconds=older_than_seconds),
        )
        .exclude(carrier=CarrierCode.MANUAL)
        .order_by("id")
        .values_list("pk", flat=True)[:500]
    )


def orders_complete_delivered(*, now: datetime | None = None) -> int:
    """Orders whose every parcel has arrived become completed once the return window has
    passed: delivered ones, and partly refunded ones (a refund after delivery leaves the
    order partially refunded, and it must end too).

    An order stays open while the shopper may still return items, while a return is
    open, and while a parcel of it is still on its way; after that nothing about it
    changes any more.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SHOP_RETURN_WINDOW_DAYS)
    open_returns = ReturnRequest.objects.filter(
        order=OuterRef("pk"),
        status__in=[ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED],
    )
    on_the_way = Shipment.objects.filter(order=OuterRef("pk")).exclude(
        status__in=[ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED]
    )
    ids = list(
        Order.objects.filter(status__in=COMPLETABLE_STATUSES)
        .annotate(last_delivery=Max("shipments__delivered_at"))
        .filter(last_delivery__lt=cutoff)
        .exclude(Exists(open_returns))
        .exclude(Exists(on_the_way))
        .values_list("pk", flat=True)[:500]
    )
    completed = 0
    for order_id in ids:
        with transaction.atomic():
            order = order_lock(order_id)
            if order.status not in COMPLETABLE_STATUSES:
                continue
            order_status_set(order, OrderStatus.COMPLETED, event_type=OrderEventType.FULFILLMENT)
            completed += 1
    return completed


COMPLETABLE_STATUSES = (OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED)


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


@transaction.atomic
def order_shipments_cancel(*, order_id: int, user: Any = None) -> int:
    """Cancel the shipments of a closed (cancelled or refunded) order that have not left.

    The payments code may call this in its own cancel transaction; the sweep calls it
    for any closed order it finds with open shipments. Returns how many were cancelled.
    """
    order = order_lock(order_id)
    if order.status not in CLOSED_ORDER_STATUSES:
        return 0
    cancelled = 0
    for shipment in order.shipments.select_for_update(of=("self",), no_key=True).filter(
        status__in=OPEN_STATUSES
    ):
        _shipment_status_set(
            shipment,
            ShipmentStatus.CANCELLED,
            event_type=ShipmentEventType.CANCELLED,
            user=user,
            data={"order_status": order.status},
        )
        cancelled += 1
    return cancelled


def orders_closed_with_open_shipments() -> list[int]:
    return list(
        Order.objects.filter(status__in=CLOSED_ORDER_STATUSES, shipments__status__in=OPEN_STATUSES)
        .distinct()
        .values_list("pk", flat=True)[:500]
    )

"""The periodic sweeps: lost fulfilment and bookings, completion, closed orders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from fulfillment.models import (
    OPEN_STATUSES,
    CarrierCode,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentEventType,
    ShipmentStatus,
)
from fulfillment.services.shipment_state import CLOSED_ORDER_STATUSES, shipment_status_set
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.services import order_lock, order_status_set

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
        shipment_status_set(
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

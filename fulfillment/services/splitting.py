"""Splitting a paid order's held units into shipments, one per warehouse."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction

from fulfillment.models import (
    OPEN_STATUSES,
    CarrierCode,
    Shipment,
    ShipmentEventType,
    ShipmentLine,
    ShipmentStatus,
)
from fulfillment.services.shipment_state import (
    FULFILLABLE_ORDER_STATUSES,
    carrier_default,
    shipment_event_write,
)
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.services import order_lock, order_status_set

logger = logging.getLogger(__name__)


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
    created_ids = []
    for warehouse_id, held in _unshipped_by_warehouse(order).items():
        shipment_id = _warehouse_units_ship(order, warehouse_id, held)
        if shipment_id is not None:
            created_ids.append(shipment_id)
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


def _unshipped_by_warehouse(order: Order) -> dict[int, list[Reservation]]:
    """The order's confirmed holds on no shipment yet, by warehouse in id order."""
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
    return by_warehouse


def _warehouse_units_ship(order: Order, warehouse_id: int, held: list[Reservation]) -> int | None:
    """Put one warehouse's held units on the order's shipment from that warehouse, made if
    there is none yet; returns the shipment's id when it was made here. A shipment that is
    no longer open takes no units (logged: stock held but never sent needs a person)."""
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
        return None
    ShipmentLine.objects.bulk_create(
        ShipmentLine(
            shipment=shipment,
            order_line_id=reservation.order_line_id,
            reservation=reservation,
            quantity=reservation.quantity,
        )
        for reservation in held
    )
    if not created:
        return None
    shipment_event_write(
        shipment,
        ShipmentEventType.CREATED,
        to_status=shipment.status,
        data={"units": sum(reservation.quantity for reservation in held)},
    )
    return shipment.pk

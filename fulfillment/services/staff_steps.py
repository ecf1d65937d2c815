"""What staff (or the carrier's pick-up) do to a shipment: pack, ship, deliver."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.stock.holds import stock_ship
from fulfillment.errors import (
    OrderNotFulfillable,
    ShipmentStatusConflict,
    WaybillRequired,
    WaybillTaken,
)
from fulfillment.models import (
    OPEN_STATUSES,
    CarrierCode,
    Shipment,
    ShipmentEventType,
    ShipmentStatus,
)
from fulfillment.services.shipment_state import (
    FULFILLABLE_ORDER_STATUSES,
    SHIPPABLE_ORDER_STATUSES,
    shipment_lock,
    shipment_status_set,
)
from shop.core.hooks import hooks
from shop.core.tasks import enqueue_on_commit
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.services import order_status_set

# Staff steps


@transaction.atomic
def shipment_pack(*, shipment_id: int, user: Any = None) -> Shipment:
    """The parcel is packed and waits for the courier. Packing twice changes nothing."""
    order, shipment = shipment_lock(shipment_id)
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
    return shipment_status_set(
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
    order, shipment = shipment_lock(shipment_id)
    if shipment.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
        return shipment
    if shipment.status == ShipmentStatus.CANCELLED:
        raise ShipmentStatusConflict(_("A cancelled shipment cannot ship."))
    if order.status not in SHIPPABLE_ORDER_STATUSES:
        raise OrderNotFulfillable(
            _('The order\'s status is "%(status)s"; nothing of it may ship.')
            % {"status": OrderStatus(order.status).label}
        )
    changes = _waybill_changes(shipment, waybill_number.strip())
    units = _held_units_ship(order, shipment, user=user)
    shipped_at = occurred_at or timezone.now()
    shipment_status_set(
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


def _waybill_changes(shipment: Shipment, waybill_number: str) -> dict[str, Any]:
    """What shipping writes about the waybill: a new one given by staff makes the shipment
    a manual one. A booked shipment keeps its waybill, a manual waybill is used once, and
    a shipment ships only with a waybill."""
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
        return {"waybill_number": waybill_number, "carrier": CarrierCode.MANUAL}
    if not shipment.waybill_number:
        raise WaybillRequired(fields={"waybill_number": [_("This field is required.")]})
    return {}


def _held_units_ship(order: Order, shipment: Shipment, *, user: Any) -> int:
    """Take the shipment's held units out of stock as a sale, holds locked in stock order;
    returns how many units left."""
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
    return units


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
    order, shipment = shipment_lock(shipment_id)
    if shipment.status == ShipmentStatus.DELIVERED:
        return shipment
    if shipment.status != ShipmentStatus.SHIPPED:
        raise ShipmentStatusConflict(
            _('A shipment with status "%(status)s" cannot be delivered.')
            % {"status": ShipmentStatus(shipment.status).label}
        )
    shipment_status_set(
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

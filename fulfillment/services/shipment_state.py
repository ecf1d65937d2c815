"""What every shipment step shares: the statuses it moves between, its events, its lock."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfillment.errors import (
    ShipmentStatusConflict,
)
from fulfillment.models import (
    CarrierCode,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
    TrackingCode,
)
from shop.core.events import event_write
from shop.orders.models import Order, OrderStatus
from shop.orders.services import order_lock

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
    return event_write(
        ShipmentEvent,
        shipment,
        type,
        from_status=from_status,
        to_status=to_status,
        data=data,
        user=user,
    )


def shipment_status_set(
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


def shipment_lock(shipment_id: int) -> tuple[Order, Shipment]:
    """Lock the order, then the shipment (the project-wide lock order)."""
    order_id = Shipment.objects.values_list("order_id", flat=True).get(pk=shipment_id)
    order = order_lock(order_id)
    shipment = (
        Shipment.objects.select_for_update(of=("self",), no_key=True)
        .select_related("warehouse")
        .get(pk=shipment_id)
    )
    return order, shipment

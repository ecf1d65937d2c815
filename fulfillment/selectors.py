"""Reading shipments, tracking and returns, for shoppers and for staff."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, Sum

from catalog.models import Warehouse
from fulfillment.errors import ReturnNotFound, ShipmentNotFound, ShipmentNotYours
from fulfillment.models import (
    OPEN_STATUSES,
    ReturnRequest,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingEvent,
)
from shop.core.permissions import user_partner_id
from shop.orders.models import Order


def order_tracking(order: Order, lang: str = "zh") -> list[dict[str, Any]]:
    """The order's parcels, each with its tracking events (oldest first), for the shopper."""
    shipments = (
        Shipment.objects.filter(order=order)
        .exclude(status=ShipmentStatus.CANCELLED)
        .select_related("warehouse")
        .prefetch_related(
            Prefetch("tracking", queryset=TrackingEvent.objects.order_by("occurred_at", "id")),
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line")),
        )
        .order_by("id")
    )
    other = "en" if lang == "zh" else "zh"
    return [
        {
            "id": shipment.pk,
            "status": shipment.status,
            "carrier": shipment.carrier,
            "waybill_number": shipment.waybill_number,
            "shipped_at": shipment.shipped_at,
            "delivered_at": shipment.delivered_at,
            "items": [
                {"sku": line.order_line.sku, "quantity": line.quantity}
                for line in shipment.lines.all()
            ],
            "events": [
                {
                    "code": event.code,
                    "occurred_at": event.occurred_at,
                    "location": event.location,
                    "description": getattr(event, f"description_{lang}")
                    or getattr(event, f"description_{other}"),
                }
                for event in shipment.tracking.all()
            ],
        }
        for shipment in shipments
    ]


# Staff


def shipments_visible_to(
    user: Any, queryset: QuerySet[Shipment] | None = None
) -> QuerySet[Shipment]:
    """Partner staff see their partner's warehouses; superusers and other staff see all."""
    queryset = queryset if queryset is not None else Shipment.objects.all()
    partner_id = None if user.is_superuser else user_partner_id(user)
    if partner_id is not None:
        queryset = queryset.filter(warehouse__partner_id=partner_id)
    return queryset


def shipment_manage_check(user: Any, shipment: Shipment) -> None:
    """Superusers, and staff of the partner that runs the warehouse, may act on a shipment."""
    if user.is_superuser:
        return
    if user_partner_id(user) != shipment.warehouse.partner_id:
        raise ShipmentNotYours()


def shipment_list(
    *, user: Any, warehouse: str = "", status: str = "", open_only: bool = False
) -> QuerySet[Shipment]:
    """The fulfilment queue: shipments of the warehouses the user may see, oldest first."""
    queryset = shipments_visible_to(
        user, Shipment.objects.select_related("order", "warehouse", "partner")
    )
    if warehouse:
        queryset = queryset.filter(warehouse__code=warehouse)
    if status:
        queryset = queryset.filter(status=status)
    if open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    return queryset.annotate(units=Sum("lines__quantity")).order_by("created_at", "id")


def shipment_get(*, user: Any, shipment_id: int) -> Shipment:
    shipment = (
        shipments_visible_to(user, Shipment.objects.select_related("order", "warehouse", "partner"))
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line")),
            "tracking",
            "events",
        )
        .filter(pk=shipment_id)
        .first()
    )
    if shipment is None:
        raise ShipmentNotFound()
    return shipment


def warehouse_pick_list(*, warehouse: Warehouse) -> list[dict[str, Any]]:
    """What to take off the shelves for the warehouse's shipments not packed yet: per SKU,
    the units and the shipments they go into."""
    lines = (
        ShipmentLine.objects.filter(
            shipment__warehouse=warehouse,
            shipment__status__in=[ShipmentStatus.PENDING, ShipmentStatus.BOOKED],
        )
        .select_related("order_line", "shipment")
        .order_by("order_line__sku", "shipment_id")
    )
    picks: dict[str, dict[str, Any]] = {}
    for line in lines:
        pick = picks.setdefault(
            line.order_line.sku,
            {
                "sku": line.order_line.sku,
                "product_name": line.order_line.product_name,
                "variant_name": line.order_line.variant_name,
                "quantity": 0,
                "shipments": [],
                "personalisations": [],
            },
        )
        pick["quantity"] += line.quantity
        if line.shipment_id not in pick["shipments"]:
            pick["shipments"].append(line.shipment_id)
        if line.order_line.personalisation:
            pick["personalisations"].append(
                {"shipment": line.shipment_id, "text": line.order_line.personalisation}
            )
    return list(picks.values())


def returns_visible_to(
    user: Any, queryset: QuerySet[ReturnRequest] | None = None
) -> QuerySet[ReturnRequest]:
    """Partner staff see returns of orders their warehouses shipped."""
    queryset = queryset if queryset is not None else ReturnRequest.objects.all()
    partner_id = None if user.is_superuser else user_partner_id(user)
    if partner_id is not None:
        queryset = queryset.filter(order__shipments__partner_id=partner_id).distinct()
    return queryset


def return_list(*, user: Any, status: str = "") -> QuerySet[ReturnRequest]:
    queryset = returns_visible_to(
        user,
        ReturnRequest.objects.select_related("order", "refund").prefetch_related(
            "lines__order_line"
        ),
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("created_at", "id")


def return_get(*, user: Any, return_id: int) -> ReturnRequest:
    return_request = return_list(user=user).filter(pk=return_id).first()
    if return_request is None:
        raise ReturnNotFound()
    return return_request


def order_returns(order: Order) -> QuerySet[ReturnRequest]:
    return (
        ReturnRequest.objects.filter(order=order)
        .prefetch_related("lines__order_line")
        .order_by("created_at", "id")
    )

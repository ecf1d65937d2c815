"""Splitting a paid order's held units into shipments, one per warehouse, and booking in
the same transaction the shipments whose carrier books in this process."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from fulfillment.carriers import carrier_get
from fulfillment.models import (
    OPEN_STATUSES,
    CarrierCode,
    Shipment,
    ShipmentEvent,
    ShipmentEventType,
    ShipmentLine,
    ShipmentStatus,
)
from fulfillment.queries import Waybill, shipments_book
from fulfillment.services.shipment_state import (
    FULFILLABLE_ORDER_STATUSES,
    carrier_default,
)
from shop.core.events import event_build
from shop.core.kept_statements import ID_FIELD, KeptStatement, Slot
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.services import order_status_set, orders_locking

logger = logging.getLogger(__name__)

BOOKABLE = (ShipmentStatus.PENDING, ShipmentStatus.PACKED)


@dataclass
class _Parcel:
    """One shipment of the order as this run sees it (read narrow: no label)."""

    pk: int  # 0 until the shipment is written
    warehouse_id: int
    partner_id: int
    carrier: str
    status: str = ShipmentStatus.PENDING
    waybill_number: str = ""
    booking_error: str = ""
    units: list[tuple[int, int, int]] = field(default_factory=list)  # held: id, line, units

    @property
    def to_book(self) -> bool:
        return (
            self.status in BOOKABLE
            and not self.waybill_number
            and not self.booking_error
            and self.carrier != CarrierCode.MANUAL
        )


# A shipment's event to write: the shipment, type, from and to status, data.
Event = tuple[_Parcel, str, str, str, dict[str, object]]


# Splitting an order into shipments


@dataclass(frozen=True)
class Fulfilment:
    booked: list[int]  # shipments booked by this run, in its transaction
    to_book: list[int]  # shipments that still need a waybill


def order_fulfill(*, order_id: int) -> list[int]:
    """Group the order's paid, unshipped units by warehouse into shipments; returns the
    shipments that still need a waybill (none is booked here).

    Idempotent: units already on a shipment are skipped, and a unique constraint on
    (order, warehouse) means even two runs racing past the order lock cannot create a
    warehouse's shipment twice.
    """
    return _order_fulfill(order_id, book=False).to_book


def order_fulfill_booking(*, order_id: int) -> Fulfilment:
    """``order_fulfill``, and the shipments whose carrier books in this process (the
    simulated carrier) booked in the same transaction, as ``shipment_book`` books them.
    The others (a carrier over the network) are left in ``to_book``, to be booked after
    the commit: never inside a transaction."""
    return _order_fulfill(order_id, book=True)


# The split's reads have one shape for every order: kept compiled (once per connection),
# the order's id their slot.


@functools.cache
def _order_locked() -> KeptStatement[Order]:
    """The order locked as every step locks it (``orders_locking``), its status only
    (the shipments and events take its id), with whether it has a shipment yet
    (``has_shipments``): a paid order's first split has none to read.

    A run that waited here for another's lock sees the order's row as that run left it
    but ``has_shipments`` as it was before (the statement's snapshot): the flag is
    trusted only while the order is still paid (``_shipments_known_none``), since a
    split that makes shipments moves a paid order on in the same transaction."""
    return KeptStatement(
        orders_locking()
        .only("status")
        .annotate(has_shipments=Exists(Shipment.objects.filter(order_id=OuterRef("pk"))))
        .filter(pk=Slot("order_id", ID_FIELD))
        .order_by()
    )


@functools.cache
def _held_units() -> KeptStatement[dict[str, Any]]:
    """The order's confirmed holds on no shipment yet, by warehouse."""
    held: QuerySet[Reservation, Any] = (
        Reservation.objects.filter(
            order_line__order_id=Slot("order_id", ID_FIELD),
            status=ReservationStatus.CONFIRMED,
            shipment_line__isnull=True,
        )
        .order_by("stock__warehouse_id", "id")
        .values(
            "pk",
            "order_line_id",
            "quantity",
            "stock__warehouse_id",
            "stock__warehouse__partner_id",
        )
    )
    return KeptStatement(held)


@transaction.atomic
def _order_fulfill(order_id: int, *, book: bool) -> Fulfilment:
    order = _order_locked().get(order_id=order_id)
    if order.status not in FULFILLABLE_ORDER_STATUSES:
        return Fulfilment([], [])
    parcels = _parcels_of(order)
    events: list[Event] = []
    created = _units_ship(order, parcels, events)
    booked = _book_in_process(order, parcels.values(), events) if book else set()
    _events_write(events)
    if order.status == OrderStatus.PAID and parcels:
        order_status_set(
            order,
            OrderStatus.FULFILLING,
            event_type=OrderEventType.FULFILLMENT,
            data={"shipments": [parcel.pk for parcel in created]},
        )
    ids = sorted(parcel.pk for parcel in parcels.values() if parcel.pk)
    to_book = {parcel.pk for parcel in parcels.values() if parcel.to_book}
    return Fulfilment(
        booked=[pk for pk in ids if pk in booked],
        to_book=[pk for pk in ids if pk in to_book and pk not in booked],
    )


def _shipments_known_none(order: Order) -> bool:
    """Whether the locked order surely has no shipment: its lock saw none and it is
    still paid (a concurrent split that made some would have moved it on)."""
    has_shipments: bool = order.has_shipments  # type: ignore[attr-defined]  # the lock's annotation
    return not has_shipments and order.status == OrderStatus.PAID


def _parcels_of(order: Order) -> dict[int, _Parcel]:
    """The order's shipments by warehouse (read only when it has any), and the confirmed
    holds on no shipment yet put on them (a warehouse without its shipment gets a new,
    unsaved one)."""
    parcels = (
        {
            row[1]: _Parcel(*row)
            for row in Shipment.objects.filter(order_id=order.pk).values_list(
                "pk",
                "warehouse_id",
                "partner_id",
                "carrier",
                "status",
                "waybill_number",
                "booking_error",
            )
        }
        if not _shipments_known_none(order)
        else {}
    )
    carrier = carrier_default()
    for held in _held_units().rows(order_id=order.pk):
        warehouse_id = held["stock__warehouse_id"]
        parcel = parcels.get(warehouse_id)
        if parcel is None:
            partner_id = held["stock__warehouse__partner_id"]
            parcel = parcels[warehouse_id] = _Parcel(0, warehouse_id, partner_id, carrier)
        parcel.units.append((held["pk"], held["order_line_id"], held["quantity"]))
    return parcels


def _units_ship(order: Order, parcels: dict[int, _Parcel], events: list[Event]) -> list[_Parcel]:
    """Write the new shipments and the held units' lines, and add their created events to
    ``events``; returns the shipments made here. A shipment that is no longer open takes
    no units (logged: stock held but never sent needs a person)."""
    for parcel in parcels.values():
        if parcel.pk and parcel.units and parcel.status not in OPEN_STATUSES:
            logger.warning(
                "order %s: units in warehouse %s but its shipment %s is %s",
                order.pk,
                parcel.warehouse_id,
                parcel.pk,
                parcel.status,
            )
            parcel.units = []
    created = [parcel for parcel in parcels.values() if not parcel.pk]
    rows = Shipment.objects.bulk_create(
        Shipment(
            order=order,
            warehouse_id=parcel.warehouse_id,
            partner_id=parcel.partner_id,
            carrier=parcel.carrier,
        )
        for parcel in created
    )
    for parcel, row in zip(created, rows, strict=True):
        parcel.pk = row.pk
    ShipmentLine.objects.bulk_create(
        ShipmentLine(
            shipment_id=parcel.pk,
            order_line_id=line_id,
            reservation_id=reservation_id,
            quantity=quantity,
        )
        for parcel in parcels.values()
        for reservation_id, line_id, quantity in parcel.units
    )
    events.extend(
        (
            parcel,
            ShipmentEventType.CREATED,
            "",
            parcel.status,
            {"units": sum(units for _, _, units in parcel.units)},
        )
        for parcel in created
    )
    return created


def _book_in_process(order: Order, parcels: Iterable[_Parcel], events: list[Event]) -> set[int]:
    """Book the shipments whose carrier answers in this process (no network: nothing to
    wait for while the order is locked), their waybills written in one statement as
    ``shipment_book`` writes them, an event added to ``events`` for each written; returns
    their ids. A shipment whose number another shipment of its carrier already holds is
    not written: it is left to ``shipment_book``, which records it, and the others are
    booked."""
    waybills: dict[int, tuple[_Parcel, Waybill]] = {}
    numbers: set[tuple[str, str]] = set()  # one statement cannot see its own rows' numbers
    for parcel in parcels:
        carrier = carrier_get(parcel.carrier) if parcel.to_book else None
        if carrier is None or not carrier.books_in_process:
            continue
        shipment = Shipment(
            pk=parcel.pk,
            order=order,
            warehouse_id=parcel.warehouse_id,
            partner_id=parcel.partner_id,
            carrier=parcel.carrier,
            status=parcel.status,
        )
        booking = carrier.book(shipment)
        if (parcel.carrier, booking.waybill_number) in numbers:
            logger.warning(
                "shipment %s: waybill %s given twice; left to its booking",
                parcel.pk,
                booking.waybill_number,
            )
            continue
        numbers.add((parcel.carrier, booking.waybill_number))
        new_status = (
            ShipmentStatus.BOOKED if parcel.status == ShipmentStatus.PENDING else parcel.status
        )
        waybill = Waybill(
            parcel.pk, parcel.status, new_status, booking.waybill_number, booking.label_pdf
        )
        waybills[parcel.pk] = (parcel, waybill)
    written = shipments_book([waybill for _, waybill in waybills.values()], timezone.now())
    for pk, (parcel, waybill) in waybills.items():
        if pk not in written:
            logger.warning(
                "shipment %s: waybill %s not written; left to its booking",
                pk,
                waybill.waybill_number,
            )
            continue
        events.append(
            (
                parcel,
                ShipmentEventType.BOOKED,
                parcel.status,
                waybill.new_status,
                {"waybill_number": waybill.waybill_number},
            )
        )
        parcel.status, parcel.waybill_number = waybill.new_status, waybill.waybill_number
    return written


def _events_write(events: Iterable[Event]) -> None:
    """The shipments' events, in one statement."""
    ShipmentEvent.objects.bulk_create(
        event_build(
            ShipmentEvent,
            Shipment(pk=parcel.pk),
            type,
            from_status=from_status,
            to_status=to_status,
            data=data,
        )
        for parcel, type, from_status, to_status, data in events
    )

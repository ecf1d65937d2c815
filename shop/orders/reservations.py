"""Changes to the stock orders hold: given back (an order ends, or a hold's time is up)
and confirmed when the order is paid, held again when a hold lapsed before."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.stock.holds import stock_unreserve
from shop.orders.allocation import lines_allocate
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderLine
from shop.orders.queries import order_holds_confirm
from shop.orders.services import order_event_write


def order_reservations_release(order: Order, statuses: tuple[str, ...]) -> int:
    """Give back every held unit of the order; returns how many units were released."""
    released = 0
    reservations = (
        Reservation.objects.select_for_update(of=("self",), no_key=True)
        .filter(order_line__order=order, status__in=statuses)
        .order_by("stock_id")
    )
    for reservation in reservations:
        stock_unreserve(stock_id=reservation.stock_id, quantity=reservation.quantity)
        reservation.status = ReservationStatus.RELEASED
        reservation.save(update_fields=["status", "updated_at"])
        released += reservation.quantity
    return released


@transaction.atomic
def reservations_release_expired(*, now: Any = None, limit: int = 500) -> int:
    """Release held stock whose time is up (the order stays pending until it expires)."""
    now = now or timezone.now()
    ids = list(
        Reservation.objects.filter(status=ReservationStatus.ACTIVE, expires_at__lt=now)
        .order_by("stock_id", "id")
        .values_list("id", flat=True)[:limit]
    )
    released = 0
    for reservation in (
        Reservation.objects.select_for_update(of=("self",), no_key=True, skip_locked=True)
        .filter(pk__in=ids, status=ReservationStatus.ACTIVE)
        .select_related("order_line")
        .order_by("stock_id", "id")
    ):
        stock_unreserve(stock_id=reservation.stock_id, quantity=reservation.quantity)
        reservation.status = ReservationStatus.RELEASED
        reservation.save(update_fields=["status", "updated_at"])
        order_event_write(
            reservation.order_line.order,
            OrderEventType.RESERVATION_RELEASED,
            data={"stock_id": reservation.stock_id, "quantity": reservation.quantity},
        )
        released += 1
    return released


class StockLost(Exception):
    pass


def _reserve_again(order: Order, short: dict[int, int]) -> None:
    """Hold again the units of lines whose reservations lapsed (``short``: the units
    each line lacks); all or nothing."""
    lines = OrderLine.objects.filter(pk__in=short).order_by("variant_id")
    with transaction.atomic():
        if not lines_allocate(
            [(line, short[line.pk]) for line in lines], channel=order.channel, expires_at=None
        ):
            raise StockLost()


def order_reservations_confirm(order: Order, now: Any) -> None:
    """Held units become confirmed until they ship. Units whose hold lapsed, or lapses
    while this runs, are held again and confirmed. Raises StockLost when they cannot
    be."""
    for _attempt in range(3):
        lines = order_holds_confirm(order.pk, now)
        short = {line.line_id: line.short for line in lines if line.short}
        if not short:
            # Confirmed: all but holds released between the count and the update.
            short = {
                line.line_id: line.active - line.confirmed_now
                for line in lines
                if line.confirmed_now < line.active
            }
            if not short:
                return
        _reserve_again(order, short)  # the next round confirms them
    raise StockLost()

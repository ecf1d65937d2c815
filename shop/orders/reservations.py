"""Changes to the stock orders hold: given back (an order ends, or a hold's time is up)
and confirmed when the order is paid, held again when a hold lapsed before."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.stock.holds import stock_unreserve
from shop.core import sql
from shop.orders.allocation import lines_allocate
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderLine
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


# Per line of an order: its units, and those its holds have (active, confirmed).
_LINES_HELD = (
    "SELECT l.id, l.quantity,"  # noqa: S608
    " COALESCE(SUM(CASE WHEN r.status = %s THEN r.quantity ELSE 0 END), 0) AS active,"
    " COALESCE(SUM(CASE WHEN r.status = %s THEN r.quantity ELSE 0 END), 0) AS confirmed"
    f" FROM {sql.table(OrderLine)} l LEFT JOIN {sql.table(Reservation)} r"
    " ON r.order_line_id = l.id WHERE l.order_id = %s GROUP BY l.id, l.quantity"
)
_RESERVATIONS_CONFIRM = (
    f"UPDATE {sql.table(Reservation)} SET status = %s, expires_at = NULL, updated_at = %s"  # noqa: S608
    f" WHERE status = %s AND order_line_id IN (SELECT id FROM {sql.table(OrderLine)}"
    " WHERE order_id = %s)"
)
# On PostgreSQL both in one statement: the lines' held units and, when no line is short
# of them, the active holds confirmed, with the units each line had confirmed. A hold
# the expiry sweep releases meanwhile (it does not take the order's lock) is counted
# but not confirmed: the caller sees it by those units.
_LINES_HELD_CONFIRMED = (
    f"WITH held AS ({_LINES_HELD}), confirming AS ("  # noqa: S608
    f"UPDATE {sql.table(Reservation)} SET status = %s, expires_at = NULL, updated_at = %s"
    " WHERE status = %s AND order_line_id IN (SELECT id FROM held)"
    " AND NOT EXISTS (SELECT 1 FROM held WHERE quantity > active + confirmed)"
    " RETURNING order_line_id, quantity)"
    " SELECT h.id, h.quantity, h.active, h.confirmed, COALESCE((SELECT SUM(c.quantity)"
    " FROM confirming c WHERE c.order_line_id = h.id), 0) FROM held h"
)


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
    while this runs, are held again and confirmed. Raises _StockLost when they cannot
    be."""
    counted = [ReservationStatus.ACTIVE, ReservationStatus.CONFIRMED, order.pk]
    confirm = [ReservationStatus.CONFIRMED, sql.now_param(now), ReservationStatus.ACTIVE]
    if sql.db().vendor != "postgresql":  # one writer at a time: nothing lapses meanwhile
        lines = sql.rows(_LINES_HELD, counted)
        short = {pk: units - a - c for pk, units, a, c in lines if units > a + c}
        if short:
            _reserve_again(order, short)
        sql.execute(_RESERVATIONS_CONFIRM, [*confirm, order.pk])
        return
    for _attempt in range(3):
        lines = sql.rows(_LINES_HELD_CONFIRMED, [*counted, *confirm])
        short = {pk: units - a - c for pk, units, a, c, _ in lines if units > a + c}
        if not short:
            # Confirmed: all but holds released between the count and the update.
            short = {pk: a - done for pk, _, a, _, done in lines if done < a}
            if not short:
                return
        _reserve_again(order, short)  # the next round confirms them
    raise StockLost()

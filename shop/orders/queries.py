"""The orders' hand-written statements: only what the ORM cannot say in one round trip
where that round trip matters. Each goes through Django's cursor and answers the same on
PostgreSQL and SQLite (tests/shop/orders/test_queries.py runs it on both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import OrderLine

# The tables the statement names, as the models name them (checked by its test).
TABLES = {"reservation": "checkout_reservation", "order_line": "orders_orderline"}

# Each line of the order with its units and those its holds have (active, confirmed)
# and, when no line is short of them, the active holds confirmed in the same statement,
# with the units this confirmed per line. A hold the expiry sweep releases meanwhile
# (it does not take the order's lock) is counted but not confirmed: the caller sees it
# by those units.
_HOLDS_CONFIRM = """
WITH held AS (
    SELECT l.id, l.quantity,
        COALESCE(SUM(CASE WHEN r.status = %(active)s THEN r.quantity ELSE 0 END), 0) AS active,
        COALESCE(SUM(CASE WHEN r.status = %(confirmed)s THEN r.quantity ELSE 0 END), 0)
            AS confirmed
    FROM orders_orderline l LEFT JOIN checkout_reservation r ON r.order_line_id = l.id
    WHERE l.order_id = %(order)s GROUP BY l.id, l.quantity
), confirming AS (
    UPDATE checkout_reservation SET status = %(confirmed)s, expires_at = NULL,
        updated_at = %(now)s
    WHERE status = %(active)s AND order_line_id IN (SELECT id FROM held)
        AND NOT EXISTS (SELECT 1 FROM held WHERE quantity > active + confirmed)
    RETURNING order_line_id, quantity
)
SELECT h.id, h.quantity, h.active, h.confirmed,
    COALESCE((SELECT SUM(c.quantity) FROM confirming c WHERE c.order_line_id = h.id), 0)
FROM held h ORDER BY h.id
"""


@dataclass(frozen=True)
class LineHeld:
    """A line of an order and what its holds have, as ``order_holds_confirm`` found them."""

    line_id: int
    quantity: int  # units sold
    active: int  # units held for payment
    confirmed: int  # units confirmed before
    confirmed_now: int  # units this call confirmed

    @property
    def short(self) -> int:
        """Units no hold has (a hold lapsed)."""
        return max(self.quantity - self.active - self.confirmed, 0)


def order_holds_confirm(order_id: int, now: datetime) -> list[LineHeld]:
    """Confirm the order's active holds when every line has all its units held, and
    say, per line, what was held and what this confirmed; when a line is short, nothing
    is confirmed.

    Hand-written on PostgreSQL: counting and confirming in one statement is one round
    trip for every payment, and what it counts is what it confirms even while the
    expiry sweep, which does not take the order's lock, releases holds. SQLite runs one
    writing transaction at a time: there nothing changes between the ORM's count and
    its update."""
    if connection.vendor == "postgresql":
        params: dict[str, Any] = {
            "active": ReservationStatus.ACTIVE,
            "confirmed": ReservationStatus.CONFIRMED,
            "order": order_id,
            "now": now,
        }
        with connection.cursor() as cursor:
            cursor.execute(_HOLDS_CONFIRM, params)
            return [LineHeld(*map(int, found)) for found in cursor.fetchall()]
    return _order_holds_confirm_one_writer(order_id, now)


def _order_holds_confirm_one_writer(order_id: int, now: datetime) -> list[LineHeld]:
    def held(status: str) -> Coalesce:
        return Coalesce(Sum("reservations__quantity", filter=Q(reservations__status=status)), 0)

    rows = (
        OrderLine.objects.filter(order_id=order_id)
        .order_by("id")
        .values_list("id", "quantity")
        .annotate(active=held(ReservationStatus.ACTIVE), done=held(ReservationStatus.CONFIRMED))
    )
    counted = [LineHeld(pk, units, active, done, 0) for pk, units, active, done in rows]
    if any(line.short for line in counted):
        return counted
    Reservation.objects.filter(
        order_line__order_id=order_id, status=ReservationStatus.ACTIVE
    ).update(status=ReservationStatus.CONFIRMED, expires_at=None, updated_at=now)
    return [
        LineHeld(line.line_id, line.quantity, line.active, line.confirmed, line.active)
        for line in counted
    ]

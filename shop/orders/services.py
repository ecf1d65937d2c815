"""Order state changes. Every change goes through :func:`order_status_set` and writes an event."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.stock.holds import stock_unreserve
from shop.channels.models import SalesChannel
from shop.checkout.allocation import lines_allocate
from shop.checkout.models import Reservation, ReservationStatus, Voucher, VoucherUse
from shop.core import metrics, sql
from shop.core.permissions import signed_in
from shop.orders.errors import IllegalTransition
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderLine, OrderStatus
from shop.orders.state import can_transition

logger = logging.getLogger(__name__)


def order_event(
    order: Order,
    type: str,
    *,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    user: Any = None,
) -> OrderEvent:
    """An event of the order, not written yet (a caller writing several at once)."""
    return OrderEvent(
        order=order,
        type=type,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        user=signed_in(user),
    )


def order_event_write(
    order: Order,
    type: str,
    *,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    user: Any = None,
) -> OrderEvent:
    event = order_event(
        order, type, from_status=from_status, to_status=to_status, data=data, user=user
    )
    sql.insert([event])
    return event


_ORDER = sql.Columns(Order, *(field.name for field in Order._meta.concrete_fields))
_CHANNEL = sql.Columns(SalesChannel, *(field.name for field in SalesChannel._meta.concrete_fields))
_ORDER_LOCK = f"SELECT {_ORDER.sql('o')} FROM {sql.table(Order)} o WHERE o.id = %s"  # noqa: S608
_ORDER_WITH_CHANNEL_LOCK = (
    f"SELECT {_ORDER.sql('o')}, {_CHANNEL.sql('c')} FROM {sql.table(Order)} o"  # noqa: S608
    f" JOIN {sql.table(SalesChannel)} c ON c.id = o.channel_id WHERE o.id = %s"
)


def order_lock(order_id: int, *, with_channel: bool = False) -> Order:
    """The order row, locked for the rest of the transaction (with its channel, read but
    not locked, when asked). Order.DoesNotExist when there is none."""
    if with_channel:
        found = sql.row(_ORDER_WITH_CHANNEL_LOCK + sql.lock(of="o"), [order_id])
    else:
        found = sql.row(_ORDER_LOCK + sql.lock(), [order_id])
    if found is None:
        raise Order.DoesNotExist("Order matching query does not exist.")
    order: Order = _ORDER.build(found[: len(_ORDER)])
    if with_channel:
        order.channel = _CHANNEL.build(found[len(_ORDER) :])
    return order


def order_lock_with_rows(order_id: int, rows: sql.Columns) -> tuple[Order, list[Any]] | None:
    """The order with its channel, as ``order_lock(with_channel=True)``, and the rows of
    ``rows``' model that belong to it (by their ``order_id``), in id order: the order and
    those rows locked, in that order, by one statement. None when the order has no such
    rows (or does not exist).

    The rows are those that existed when the statement began: when it waited for the
    order's lock, rows changed meanwhile are read as they are now, but a row added by
    the transaction that held the lock is not among them (a payment is only ever added
    pending, so whether the order is paid is known all the same)."""
    child = rows.model._meta.db_table
    found = sql.rows(
        f"SELECT {_ORDER.sql('o')}, {_CHANNEL.sql('c')}, {rows.sql('x')}"  # noqa: S608
        f" FROM {sql.table(Order)} o JOIN {sql.table(SalesChannel)} c ON c.id = o.channel_id"
        f" JOIN {child} x ON x.order_id = o.id WHERE o.id = %s ORDER BY x.id" + sql.lock(of="o, x"),
        [order_id],
    )
    if not found:
        return None
    at = len(_ORDER) + len(_CHANNEL)
    order: Order = _ORDER.build(found[0][: len(_ORDER)])
    order.channel = _CHANNEL.build(found[0][len(_ORDER) : at])
    return order, [rows.build(row[at:]) for row in found]


# No savepoint: whoever changes a status inside a larger transaction gives up all of it
# when the change is refused.
@transaction.atomic(savepoint=False)
def order_status_set(
    order: Order,
    new_status: str,
    *,
    user: Any = None,
    event_type: str = OrderEventType.STATUS_CHANGED,
    data: dict[str, Any] | None = None,
    **changes: Any,
) -> Order:
    """Move an order to ``new_status`` if the state machine allows it; refuse otherwise.

    The update is conditional on the status the caller saw, so two concurrent
    transitions can never both win.
    """
    current = order.status
    if not can_transition(current, new_status):
        raise IllegalTransition(
            _('An order with status "%(current)s" cannot move to "%(new)s".')
            % {"current": OrderStatus(current).label, "new": OrderStatus(new_status).label},
            fields={
                "status": [
                    _("%(current)s -> %(new)s is not allowed.")
                    % {"current": current, "new": new_status}
                ]
            },
        )
    changes["status"] = new_status
    for field, value in changes.items():
        setattr(order, field, value)
    # updated_at: auto_now, written with the changes
    written = list(dict.fromkeys([*changes, "updated_at"]))
    # The event is written by the same statement, only when the row changed.
    event = order_event(
        order, event_type, from_status=current, to_status=new_status, data=data, user=user
    )
    if (
        sql.update_then_insert(order, written, where="status = %s", params=[current], then=event)
        != 1
    ):
        order.refresh_from_db()
        raise IllegalTransition(
            _('The order changed meanwhile; its status is now "%(status)s".')
            % {"status": OrderStatus(order.status).label},
            fields={
                "status": [
                    _("Expected %(expected)s, found %(found)s.")
                    % {"expected": current, "found": order.status}
                ]
            },
        )
    return order


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


def _voucher_release(order: Order) -> None:
    use = VoucherUse.objects.filter(order=order).first()
    if use is None:
        return
    Voucher.objects.filter(pk=use.voucher_id, times_used__gt=0).update(
        times_used=F("times_used") - 1
    )
    use.delete()


@transaction.atomic
def order_expire(*, order_id: int, now: Any = None) -> bool:
    """Expire an unpaid order whose time is up; its stock and voucher use come back."""
    now = now or timezone.now()
    order = order_lock(order_id)
    if (
        order.status != OrderStatus.PENDING_PAYMENT
        or not order.expires_at
        or order.expires_at > now
    ):
        return False
    released = order_reservations_release(order, (ReservationStatus.ACTIVE,))
    _voucher_release(order)
    order_status_set(
        order, OrderStatus.EXPIRED, event_type=OrderEventType.EXPIRED, data={"released": released}
    )
    return True


@transaction.atomic
def order_cancel_unpaid(*, order: Order, user: Any = None, reason: str = "") -> Order:
    """A shopper or staff cancels an order that has not been paid."""
    order = order_lock(order.pk)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise IllegalTransition(
            _('Only unpaid orders can be cancelled; this order\'s status is "%(status)s".')
            % {"status": OrderStatus(order.status).label}
        )
    released = order_reservations_release(order, (ReservationStatus.ACTIVE,))
    _voucher_release(order)
    return order_status_set(
        order,
        OrderStatus.CANCELLED,
        user=user,
        event_type=OrderEventType.CANCELLED,
        data={"released": released, "reason": reason},
    )


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


class _StockLost(Exception):
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
            raise _StockLost()


def _reservations_confirm(order: Order, now: Any) -> None:
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
    raise _StockLost()


@dataclass(frozen=True)
class PaidOutcome:
    """What happened when a payment for the order succeeded."""

    newly_paid: bool  # False when the order was already paid (a duplicate)
    stock_lost: bool = False  # the stock is gone: the caller must refund the payment


@transaction.atomic(savepoint=False)
def order_mark_paid(
    *, order_id: int, amount: Any, user: Any = None, locked: Order | None = None
) -> PaidOutcome:
    """The order's payment succeeded. Idempotent: a second call changes nothing.

    Held units become confirmed until they ship. When the reservation lapsed (a late
    payment) the units are held again if they are still there; when they are not,
    the caller refunds the payment and the order is cancelled. ``locked``: the order,
    when the caller already holds its lock in the current transaction.
    """
    order = locked if locked is not None and locked.pk == order_id else order_lock(order_id)
    if order.status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED):
        return PaidOutcome(newly_paid=False)
    now = timezone.now()
    try:
        _reservations_confirm(order, now)
    except _StockLost:
        return PaidOutcome(newly_paid=False, stock_lost=True)
    order_status_set(
        order,
        OrderStatus.PAID,
        user=user,
        event_type=OrderEventType.PAYMENT_SUCCEEDED,
        data={"amount": str(amount)},
        paid_at=now,
        amount_paid=amount,
        expires_at=None,
    )
    channel_code = order.channel.code
    transaction.on_commit(lambda: metrics.order_paid(channel_code))
    return PaidOutcome(newly_paid=True)


@transaction.atomic
def order_cancel_for_lost_stock(*, order_id: int) -> Order:
    """A payment came in after the stock was sold to someone else: the order is cancelled."""
    order = order_lock(order_id)
    if order.status == OrderStatus.EXPIRED:
        # Expired orders are final; the refund is recorded on the payment and in events.
        order_event_write(order, OrderEventType.NOTE, data={"note": "late payment, stock gone"})
        return order
    order_reservations_release(order, (ReservationStatus.ACTIVE,))
    _voucher_release(order)
    return order_status_set(
        order,
        OrderStatus.CANCELLED,
        event_type=OrderEventType.CANCELLED,
        data={"reason": "stock_unavailable"},
    )

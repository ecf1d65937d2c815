"""Order state changes. Every change goes through :func:`order_status_set` and writes an event."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shop.channels.models import SalesChannel
from shop.core import sql
from shop.core.events import event_build, event_write
from shop.orders.errors import IllegalTransition
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
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
    """An event of the order, not written yet (a caller writing it with its change)."""
    return event_build(
        OrderEvent, order, type, from_status=from_status, to_status=to_status, data=data, user=user
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
    return event_write(
        OrderEvent, order, type, from_status=from_status, to_status=to_status, data=data, user=user
    )


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

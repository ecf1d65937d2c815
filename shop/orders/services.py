"""Order state changes. Every change goes through :func:`order_status_set` and writes an event."""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.core.events import event_build, event_write
from shop.core.kept_statements import ID_FIELD, Slot
from shop.core.kept_updates import KeptUpdate
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


def orders_locking() -> QuerySet[Order]:
    """Orders read to be locked for the rest of the transaction: the lock every step
    takes on an order (``order_lock``, and the split's kept statement that reads more).

    No key: the shop never changes an order's key, and a plain FOR UPDATE would also
    hold off every transaction that only checks a foreign key to it (a new payment or
    shipment), which is how payments and shipments deadlocked. Only the order's row:
    what is joined to it is read, not locked."""
    return Order.objects.select_for_update(of=("self",), no_key=True)


def order_lock(order_id: int, *, with_channel: bool = False, fields: tuple[str, ...] = ()) -> Order:
    """The order row, locked as ``orders_locking`` locks it (with its channel, read but
    not locked, when asked; only ``fields`` of it when named, the others read when first
    touched). Order.DoesNotExist when there is none."""
    orders = orders_locking()
    if with_channel:
        orders = orders.select_related("channel")
    if fields:
        orders = orders.only(*fields)
    return orders.get(pk=order_id)


@functools.lru_cache(maxsize=32)
def _status_change(fields: tuple[str, ...]) -> KeptUpdate[Order]:
    """The order's change from the status its caller saw (the order's id and that status
    the slots, ``fields`` the columns set): kept compiled once per set of fields and
    connection, as every order paid changes the same ones."""
    seen = Slot("seen_status", Order._meta.get_field("status"))
    return KeptUpdate(Order.objects.filter(pk=Slot("order_id", ID_FIELD), status=seen), fields)


def _order_change(order_id: int, current: str, changes: dict[str, Any]) -> int:
    """``Order.objects.filter(pk=order_id, status=current).update(**changes)``: the rows
    changed (kept compiled unless a value is an expression)."""
    if any(hasattr(value, "resolve_expression") for value in changes.values()):
        return Order.objects.filter(pk=order_id, status=current).update(**changes)
    return _status_change(tuple(changes)).update(order_id=order_id, seen_status=current, **changes)


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
    order.updated_at = changes["updated_at"] = timezone.now()
    if _order_change(order.pk, current, changes) != 1:
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
    # The event only when the row changed, in the same transaction.
    order_event_write(
        order, event_type, from_status=current, to_status=new_status, data=data, user=user
    )
    return order

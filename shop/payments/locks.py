"""The one lock order of the payments package, for web requests and workers alike: an
order, then its payments in id order, then the one refund that changes. Locks are taken
only on those rows (``of=("self",)``), and a provider is never called while they are
held.

The order's and its payments' locks are taken twice when a payment starts and once when
it is applied: their statements are kept compiled (shop/core/kept_statements.py), the
ids their slots."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from shop.core.kept_statements import ID_FIELD, KeptStatement, Slot
from shop.orders.models import Order
from shop.payments.models import Payment, Refund


@functools.lru_cache(maxsize=32)
def _orders_locked(order_fields: tuple[str, ...]) -> KeptStatement[Order]:
    """The order with this id, locked and read with ``order_fields`` (see
    ``order_payments_lock``): kept compiled once per set of fields and connection."""
    locked = Order.objects.select_for_update(of=("self",), no_key=True).filter(
        pk=Slot("order_id", ID_FIELD)
    )
    if not order_fields:
        locked = locked.select_related("channel")
    elif any(name.startswith("channel__") for name in order_fields):
        locked = locked.select_related("channel").only(*order_fields)
    else:
        locked = locked.only(*order_fields)
    return KeptStatement(locked.order_by())


@functools.cache
def _payments_locked() -> KeptStatement[Payment]:
    """An order's payments, locked in id order (kept as ``_orders_locked``)."""
    return KeptStatement(
        Payment.objects.select_for_update(of=("self",), no_key=True)
        .filter(order_id=Slot("order_id", ID_FIELD))
        .order_by("pk")
    )


@functools.cache
def _payment_of_order_locked() -> KeptStatement[Payment]:
    """One payment of an order, locked (kept as ``_orders_locked``)."""
    return KeptStatement(
        Payment.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk=Slot("payment_id", ID_FIELD), order_id=Slot("order_id", ID_FIELD))
        .order_by()
    )


def _order_lock(order_id: int, order_fields: Sequence[str]) -> Order:
    """The order locked, as ``Order.objects...get(pk=order_id)`` reads it."""
    order = _orders_locked(tuple(order_fields)).get(order_id=order_id)
    return order


def order_payments_lock(
    order_id: int, *, order_fields: Sequence[str] = ()
) -> tuple[Order, list[Payment]]:
    """The order (with its channel, read but not locked) and all its payments, locked for
    the rest of the transaction. Order.DoesNotExist when there is no such order.
    ``order_fields``: only these of the order are read (its channel only when some of
    them are the channel's, ``channel__code``), for a caller that reads no other: a row
    read whole costs a column name compiled and a value decoded for each column."""
    order = _order_lock(order_id, order_fields)
    payments = _payments_locked().rows(order_id=order_id)
    for payment in payments:
        payment.order = order
    return order, payments


def order_alone_lock(order_id: int, *, order_fields: Sequence[str] = ()) -> Order:
    """The order alone, locked (a caller that changes one payment it knows is pending
    without a reference); ``order_fields`` as for ``order_payments_lock``."""
    return _order_lock(order_id, order_fields)


def order_payment_lock(order_id: int, payment_id: int) -> tuple[Order, Payment]:
    """The order, then one of its payments (a subset of the order above: the same order).
    Order.DoesNotExist or Payment.DoesNotExist when either is missing."""
    order = _order_lock(order_id, ())
    payment = _payment_of_order_locked().get(payment_id=payment_id, order_id=order_id)
    payment.order = order
    return order, payment


def refund_lock(refund_id: int) -> tuple[Order, Payment, Refund]:
    """A refund with its order and payment, locked in the package's order."""
    order_id, payment_id = Refund.objects.values_list("order_id", "payment_id").get(pk=refund_id)
    order, payment = order_payment_lock(order_id, payment_id)
    refund = Refund.objects.select_for_update(of=("self",), no_key=True).get(pk=refund_id)
    refund.order = order
    refund.payment = payment
    return order, payment, refund

"""The one lock order of the payments package, for web requests and workers alike: an
order, then its payments in id order, then the one refund that changes. Locks are taken
only on those rows (``of=("self",)``), and a provider is never called while they are
held."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.db.models import QuerySet

from shop.orders.models import Order
from shop.payments.models import Payment, Refund


@functools.lru_cache(maxsize=32)
def _orders_locked(order_fields: tuple[str, ...]) -> QuerySet[Order]:
    """The orders to lock, read with ``order_fields`` (see ``order_payments_lock``):
    built once per process and set of fields, each call filters a copy (the copy is
    evaluated, never this one)."""
    locked = Order.objects.select_for_update(of=("self",), no_key=True)
    if not order_fields:
        return locked.select_related("channel")
    if any(name.startswith("channel__") for name in order_fields):
        return locked.select_related("channel").only(*order_fields)
    return locked.only(*order_fields)


@functools.cache
def _payments_locked() -> QuerySet[Payment]:
    """An order's payments to lock, in id order (built once, as ``_orders_locked``)."""
    return Payment.objects.select_for_update(of=("self",), no_key=True).order_by("pk")


def order_payments_lock(
    order_id: int, *, order_fields: Sequence[str] = ()
) -> tuple[Order, list[Payment]]:
    """The order (with its channel, read but not locked) and all its payments, locked for
    the rest of the transaction. Order.DoesNotExist when there is no such order.
    ``order_fields``: only these of the order are read (its channel only when some of
    them are the channel's, ``channel__code``), for a caller that reads no other: a row
    read whole costs a column name compiled and a value decoded for each column."""
    order = _orders_locked(tuple(order_fields)).get(pk=order_id)
    payments = list(_payments_locked().filter(order_id=order_id))
    for payment in payments:
        payment.order = order
    return order, payments


def order_alone_lock(order_id: int, *, order_fields: Sequence[str] = ()) -> Order:
    """The order alone, locked (a caller that changes one payment it knows is pending
    without a reference); ``order_fields`` as for ``order_payments_lock``."""
    return _orders_locked(tuple(order_fields)).get(pk=order_id)


def order_payment_lock(order_id: int, payment_id: int) -> tuple[Order, Payment]:
    """The order, then one of its payments (a subset of the order above: the same order)."""
    order = (
        Order.objects.select_for_update(of=("self",), no_key=True)
        .select_related("channel")
        .get(pk=order_id)
    )
    payment = Payment.objects.select_for_update(of=("self",), no_key=True).get(
        pk=payment_id, order_id=order_id
    )
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

"""The one lock order of the payments package, for web requests and workers alike: an
order, then its payments in id order, then the one refund that changes. Locks are taken
only on those rows (``of=("self",)``), and a provider is never called while they are
held."""

from __future__ import annotations

from collections.abc import Sequence

from shop.orders.models import Order
from shop.payments.models import Payment, Refund


def order_payments_lock(
    order_id: int, *, order_fields: Sequence[str] = ()
) -> tuple[Order, list[Payment]]:
    """The order (with its channel, read but not locked) and all its payments, locked for
    the rest of the transaction. Order.DoesNotExist when there is no such order.
    ``order_fields``: only these of the order are read (its channel only when some of
    them are the channel's, ``channel__code``), for a caller that reads no other: a row
    read whole costs a column name compiled and a value decoded for each column."""
    locked = Order.objects.select_for_update(of=("self",), no_key=True)
    if not order_fields:
        locked = locked.select_related("channel")
    elif any(name.startswith("channel__") for name in order_fields):
        locked = locked.select_related("channel").only(*order_fields)
    else:
        locked = locked.only(*order_fields)
    order = locked.get(pk=order_id)
    payments = list(
        Payment.objects.select_for_update(of=("self",), no_key=True)
        .filter(order_id=order_id)
        .order_by("pk")
    )
    for payment in payments:
        payment.order = order
    return order, payments


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

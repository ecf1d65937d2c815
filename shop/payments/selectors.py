"""Reading orders and payments the way a payer may see them."""

from __future__ import annotations

from typing import Any

from shop.core import sql
from shop.orders.guest_access import order_open, order_open_to
from shop.orders.models import Order
from shop.payments.errors import PaymentNotFound
from shop.payments.models import Payment


def order_for_payer_get(*, number: str, user: Any, email: str | None) -> Order:
    """The order, or OrderNotFound when it does not exist or is not the caller's (the two
    answers are the same so an order number reveals nothing); guesses are limited as on
    every shopper endpoint (shop.orders.guest_access)."""
    order = Order.objects.filter(number=number).first()
    return order_open(order, number=number, user=user, email=email)


_PAYMENT = sql.Columns(Payment, *(field.name for field in Payment._meta.concrete_fields))
# What a payer's check and the payment's answer read of its order.
_PAYER_ORDER = sql.Columns(Order, "id", "number", "user", "email", "status")
_PAYMENT_WITH_ORDER = (
    f"SELECT {_PAYMENT.sql('p')}, {_PAYER_ORDER.sql('o')} FROM {sql.table(Payment)} p"  # noqa: S608
    f" JOIN {sql.table(Order)} o ON o.id = p.order_id WHERE p.id = %s"
)
_BIGINT_MAX = 2**63 - 1


def payment_for_payer_get(*, payment_id: int, user: Any, email: str | None) -> Payment:
    """The payment with its order (the fields a payer's answer shows), or PaymentNotFound
    when it does not exist or is not the caller's."""
    found = sql.row(_PAYMENT_WITH_ORDER, [payment_id]) if 0 < payment_id <= _BIGINT_MAX else None
    if found is None:
        raise PaymentNotFound()
    payment: Payment = _PAYMENT.build(found[: len(_PAYMENT)])
    payment.order = _PAYER_ORDER.build(found[len(_PAYMENT) :])
    if not order_open_to(payment.order, user, email):
        raise PaymentNotFound()
    return payment

"""Reading orders and payments the way a payer may see them."""

from __future__ import annotations

from typing import Any

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


_BIGINT_MAX = 2**63 - 1


def payment_for_payer_get(*, payment_id: int, user: Any, email: str | None) -> Payment:
    """The payment with its order, or PaymentNotFound when it does not exist or is not
    the caller's."""
    payment = (
        Payment.objects.select_related("order").filter(pk=payment_id).first()
        if 0 < payment_id <= _BIGINT_MAX
        else None
    )
    if payment is None or not order_open_to(payment.order, user, email):
        raise PaymentNotFound()
    return payment

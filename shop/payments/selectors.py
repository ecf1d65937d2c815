"""Reading orders and payments the way a payer may see them."""

from __future__ import annotations

import functools
from typing import Any

from shop.core.kept_statements import ID_FIELD, KeptStatement, Slot
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
# What the fake provider's confirmation (``payment_fake_complete``) reads of the payment.
_PAYER_CHECKED = ("id", "order", "provider", "provider_reference", "status")


@functools.cache
def _payment_with_owner() -> KeptStatement[Payment]:
    """A payment with what its payer's endpoint checks (which provider, whether it waits
    with a reference) and what ``order_open_to`` reads of its order; the rest is read,
    and locked, by what changes them. Read on every confirmation, so kept compiled once
    per process and connection (shop/core/kept_statements.py)."""
    payments = Payment.objects.select_related("order").only(
        *_PAYER_CHECKED, "order__user_id", "order__email"
    )
    # One at most: no ordering to compile or sort.
    return KeptStatement(payments.filter(pk=Slot("payment_id", ID_FIELD)).order_by())


def payment_for_payer_get(*, payment_id: int, user: Any, email: str | None) -> Payment:
    """The payment (its ``_PAYER_CHECKED`` fields) with its order, or PaymentNotFound when
    it does not exist or is not the caller's."""
    payment = None
    if 0 < payment_id <= _BIGINT_MAX:  # an id a bigint holds, or none
        payment = _payment_with_owner().first(payment_id=payment_id)
    if payment is None or not order_open_to(payment.order, user, email):
        raise PaymentNotFound()
    return payment

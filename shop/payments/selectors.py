"""Reading orders and payments the way a payer may see them."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from shop.orders.errors import OrderNotFound
from shop.orders.models import Order, OrderEvent
from shop.payments.errors import PaymentNotFound
from shop.payments.models import Payment, Refund


def _payer_may_see(order: Order, user: Any, email: str | None) -> bool:
    """The order's signed-in shopper, or for a guest order whoever gives its e-mail."""
    if user is not None and user.is_authenticated and order.user_id == user.pk:
        return True
    return bool(order.user_id is None and email and email.strip().lower() == order.email.lower())


def order_for_payer_get(*, number: str, user: Any, email: str | None) -> Order:
    """The order, or OrderNotFound when it does not exist or is not the caller's (the two
    answers are the same so an order number reveals nothing)."""
    order = Order.objects.filter(number=number).first()
    if order is None or not _payer_may_see(order, user, email):
        raise OrderNotFound()
    return order


_BIGINT_MAX = 2**63 - 1


def payment_for_payer_get(*, payment_id: int, user: Any, email: str | None) -> Payment:
    """The payment with its order, or PaymentNotFound when it does not exist or is not
    the caller's."""
    payment = (
        Payment.objects.select_related("order").filter(pk=payment_id).first()
        if 0 < payment_id <= _BIGINT_MAX
        else None
    )
    if payment is None or not _payer_may_see(payment.order, user, email):
        raise PaymentNotFound()
    return payment


def order_list_for_staff() -> QuerySet[Order]:
    return Order.objects.select_related("channel").order_by("-created_at", "-id")


def order_get_for_staff(*, number: str) -> Order:
    order = (
        Order.objects.select_related("channel", "user")
        .prefetch_related(
            "lines",
            Prefetch("events", queryset=OrderEvent.objects.select_related("user")),
            Prefetch("payments", queryset=Payment.objects.order_by("id")),
            Prefetch("refunds", queryset=Refund.objects.select_related("created_by")),
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        raise OrderNotFound()
    return order

"""Reading orders for shoppers: their own, or a guest's by number and e-mail."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from shop.orders.guest_access import order_open
from shop.orders.models import Order, OrderEvent, OrderLine


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related("channel").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
    )


def order_list_for_user(user: Any) -> QuerySet[Order]:
    return _orders().filter(user_id=user.pk).order_by("-created_at", "-id")


def order_get_for_shopper(*, number: str, user: Any = None, email: str = "") -> Order:
    """The order if it opens to the caller (shop.orders.guest_access): its signed-in
    owner, or for a guest order its e-mail; 404 otherwise, so nobody learns which numbers
    exist, and 429 for guests once the number has had too many wrong e-mails."""
    order = _orders().filter(number=number).first()
    return order_open(order, number=number, user=user, email=email)


def order_reload(order: Order) -> Order:
    """The order read again with what a shopper's answer shows, after a change."""
    return _orders().get(pk=order.pk)

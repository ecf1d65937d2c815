"""Reading orders for shoppers: their own, or a guest's by number and e-mail."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from shop.orders.errors import OrderNotFound
from shop.orders.models import Order, OrderEvent, OrderLine


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related("channel").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
    )


def order_list_for_user(user: Any) -> QuerySet[Order]:
    return _orders().filter(user_id=user.pk).order_by("-created_at", "-id")


def order_get_for_shopper(*, number: str, user: Any = None, email: str = "") -> Order:
    """The order if the signed-in user owns it or the e-mail matches; 404 otherwise, so
    nobody learns which numbers exist."""
    order = _orders().filter(number=number).first()
    if order is None:
        raise OrderNotFound()
    owns = user is not None and user.is_authenticated and order.user_id == user.pk
    matches = bool(email) and order.email.lower() == email.strip().lower()
    if not (owns or matches):
        raise OrderNotFound()
    return order

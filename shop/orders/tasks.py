"""Periodic order housekeeping: expire unpaid orders and release lapsed reservations."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from shop.orders.cancellation import order_expire
from shop.orders.models import Order, OrderStatus
from shop.orders.reservations import reservations_release_expired


@shared_task(name="orders.orders_expire_unpaid")
def orders_expire_unpaid(limit: int = 500) -> int:
    """Expire every unpaid order whose time is up; each in its own transaction."""
    ids = list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__lt=timezone.now())
        .order_by("expires_at")
        .values_list("id", flat=True)[:limit]
    )
    return sum(1 for order_id in ids if order_expire(order_id=order_id))


@shared_task(name="orders.reservations_release_expired")
def reservations_release_expired_task() -> int:
    return reservations_release_expired()

"""Which orders a staff member sees and handles.

- Superusers: every order.
- Staff of a partner: the orders sold through that partner's channels, and the orders
  with units held in (or shipped from) that partner's warehouses. They may refund and
  cancel those.
- Staff who belong to no partner: every order, read only (as with stock).

Another partner's order is answered as not found, the way a shopper's order is: its
number reveals nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from shop.core.permissions import user_partner_id
from shop.orders.errors import OrderNotFound, OrderReadOnlyForStaff
from shop.orders.holds import Reservation
from shop.orders.models import Order, OrderEvent


def orders_for_staff(user: Any) -> QuerySet[Order]:
    """The orders ``user`` (a staff member) may see, newest first."""
    orders = Order.objects.select_related("channel").order_by("-created_at", "-id")
    partner_id = None if user.is_superuser else user_partner_id(user)
    if partner_id is None:
        return orders
    held_here = Reservation.objects.filter(
        order_line__order=OuterRef("pk"), stock__warehouse__partner_id=partner_id
    )
    return orders.filter(Q(channel__owner_id=partner_id) | Exists(held_here))


def order_get_for_staff(*, user: Any, number: str, to_change: bool = False) -> Order:
    """The order with everything the staff screen shows; OrderNotFound when it does not
    exist or is another partner's, OrderReadOnlyForStaff when ``to_change`` and the
    staff member belongs to no partner."""
    order = (
        orders_for_staff(user)
        .select_related("user")
        .prefetch_related(
            "lines",
            Prefetch("events", queryset=OrderEvent.objects.select_related("user")),
            "payments",
            "refunds__created_by",
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        raise OrderNotFound()
    if to_change and not user.is_superuser and user_partner_id(user) is None:
        raise OrderReadOnlyForStaff()
    return order

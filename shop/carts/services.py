"""Carts: create one, lock it, remove a line. Adding and raising a line are checked against
the checkout's rules (shop/checkout/cart_lines.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from shop.carts.errors import CartAlreadyOrdered, CartLineNotFound
from shop.carts.models import Cart, CartStatus
from shop.channels.models import SalesChannel
from shop.core.permissions import signed_in


def _user_id(user: Any) -> int | None:
    acting = signed_in(user)
    return acting.pk if acting is not None else None


def cart_create(*, channel: SalesChannel, user: Any = None, language: str = "zh") -> Cart:
    user_id = _user_id(user)
    return Cart.objects.create(
        channel=channel,
        user_id=user_id,
        email=user.email if user_id else "",
        language=language,
    )


def cart_lock(cart: Cart) -> Cart:
    # Only the cart's row: locking its channel too would make every shopper of the
    # channel wait for each other, and every new cart and order in it as well.
    locked = (
        Cart.objects.select_for_update(of=("self",), no_key=True)
        .select_related("channel")
        .get(pk=cart.pk)
    )
    if locked.status != CartStatus.OPEN:
        raise CartAlreadyOrdered()
    return locked


def cart_touch_locking(cart: Cart) -> None:
    """Mark the open cart as changed now, which also locks its row until the transaction
    ends: no other request changes it meanwhile."""
    now = timezone.now()
    if not Cart.objects.filter(pk=cart.pk, status=CartStatus.OPEN).update(updated_at=now):
        raise CartAlreadyOrdered()
    cart.updated_at = now


@transaction.atomic
def cart_line_remove(*, cart: Cart, line_id: int) -> None:
    cart = cart_lock(cart)
    deleted, _ = cart.lines.filter(pk=line_id).delete()
    if not deleted:
        raise CartLineNotFound()

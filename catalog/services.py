"""Stock services: every change of units on hand is a conditional update plus a movement row.

Rules kept here (and by the database's CHECK constraints underneath):
- on hand and reserved never go negative, reserved never exceeds on hand;
- no read-check-write: each change is one ``UPDATE ... WHERE`` that only succeeds
  when the rule still holds, so concurrent requests can never lose an update.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from catalog.errors import InsufficientStock
from catalog.models import MovementReason, Stock, StockMovement


def _movement_write(
    *,
    stock_id: int,
    delta: int,
    reason: str,
    reference: str = "",
    note: str = "",
    user: Any = None,
) -> StockMovement:
    quantity_after = Stock.objects.values_list("quantity", flat=True).get(pk=stock_id)
    return StockMovement.objects.create(
        stock_id=stock_id,
        quantity_delta=delta,
        quantity_after=quantity_after,
        reason=reason,
        reference=reference[:100],
        note=note[:500],
        created_by=user if user is not None and user.is_authenticated else None,
    )


def stock_reserve(*, stock_id: int, quantity: int) -> bool:
    """Hold ``quantity`` units of one stock row if they are free; False when they are not."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    updated = Stock.objects.filter(
        pk=stock_id, quantity__gte=F("quantity_reserved") + quantity
    ).update(quantity_reserved=F("quantity_reserved") + quantity)
    return updated == 1


def stock_unreserve(*, stock_id: int, quantity: int) -> None:
    """Give back held units (an expired reservation, a cancelled order)."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    updated = Stock.objects.filter(pk=stock_id, quantity_reserved__gte=quantity).update(
        quantity_reserved=F("quantity_reserved") - quantity
    )
    if updated != 1:
        raise InsufficientStock("Fewer units are reserved than are being released.")


@transaction.atomic
def stock_ship(
    *, stock_id: int, quantity: int, reference: str = "", user: Any = None
) -> StockMovement:
    """Reserved units leave the warehouse: on hand and reserved both drop; a sale movement."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    updated = Stock.objects.filter(pk=stock_id, quantity_reserved__gte=quantity).update(
        quantity=F("quantity") - quantity, quantity_reserved=F("quantity_reserved") - quantity
    )
    if updated != 1:
        raise InsufficientStock("Fewer units are reserved than are being shipped.")
    return _movement_write(
        stock_id=stock_id,
        delta=-quantity,
        reason=MovementReason.SALE,
        reference=reference,
        user=user,
    )


@transaction.atomic
def stock_change(
    *,
    stock_id: int,
    delta: int,
    reason: str,
    reference: str = "",
    note: str = "",
    user: Any = None,
) -> StockMovement:
    """Add or remove free units on hand; removing never touches reserved units."""
    if delta == 0:
        raise ValueError("delta cannot be zero")
    queryset = Stock.objects.filter(pk=stock_id)
    if delta < 0:
        queryset = queryset.filter(quantity__gte=F("quantity_reserved") - delta)
    if queryset.update(quantity=F("quantity") + delta) != 1:
        raise InsufficientStock(
            "Not enough free units: reserved units cannot be removed.",
            fields={"quantity": ["Not enough free units."]},
        )
    return _movement_write(
        stock_id=stock_id, delta=delta, reason=reason, reference=reference, note=note, user=user
    )

"""Units held for orders: a checkout holds them, an expiry or a cancellation gives them
back, a shipment takes them out of the warehouse."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.errors import InsufficientStock
from catalog.list_entries import list_entries_stock_recount_on_commit
from catalog.models import MovementReason, Stock, StockMovement
from catalog.stock.movements import movement_write
from catalog.stock.queries import stock_hold_units, stock_release_units
from catalog.stock.sold_out import sold_out_clear_on_commit


def stock_reserve(*, stock_id: int, quantity: int) -> bool:
    """Hold ``quantity`` units of one stock row if they are free; False when they are not.

    One conditional statement; when this hold takes the row's last free units, the
    product's entries in the list are recounted after the commit.
    """
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    free_after = stock_hold_units(stock_id=stock_id, quantity=quantity)
    if free_after is None:
        return False
    if free_after <= 0:
        list_entries_stock_recount_on_commit(stock_id=stock_id)
    return True


def stock_unreserve(*, stock_id: int, quantity: int) -> None:
    """Give back held units (an expired reservation, a cancelled order).

    One conditional statement; when these are the first units to come back, the
    product's entries are recounted after the commit and the variant is no longer
    marked sold out (``catalog.stock.sold_out``).
    """
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    free_after = stock_release_units(stock_id=stock_id, quantity=quantity)
    if free_after is None:
        raise InsufficientStock(_("Fewer units are reserved than are being released."))
    if free_after <= quantity:  # none were free before
        list_entries_stock_recount_on_commit(stock_id=stock_id)
        sold_out_clear_on_commit(stock_id=stock_id)


@transaction.atomic
def stock_ship(
    *, stock_id: int, quantity: int, reference: str = "", user: Any = None
) -> StockMovement:
    """Reserved units leave the warehouse: on hand and reserved both drop; a sale movement."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    updated = Stock.objects.filter(pk=stock_id, quantity_reserved__gte=quantity).update(
        quantity=F("quantity") - quantity,
        quantity_reserved=F("quantity_reserved") - quantity,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise InsufficientStock(_("Fewer units are reserved than are being shipped."))
    return movement_write(
        stock_id=stock_id,
        delta=-quantity,
        reason=MovementReason.SALE,
        reference=reference,
        user=user,
    )

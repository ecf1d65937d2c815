"""Units on hand change through here: every change is a conditional update plus a
movement row.

Rules kept here (and by the database's CHECK constraints underneath):
- on hand and reserved never go negative, reserved never exceeds on hand;
- no read-check-write: each change is one ``UPDATE ... WHERE`` that only succeeds
  when the rule still holds, so concurrent requests can never lose an update;
- when a stock row's free units go from some to none or back, the product list's
  ``has_free_units`` is recounted (:mod:`catalog.list_entries`). The update is first
  tried on the condition that free units are left on both sides of it (almost every
  change); only when that matches nothing is the change made again on the rule alone,
  and then the row crossed zero (or a concurrent change made the recount unneeded,
  which is harmless).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.cache import catalog_changed
from catalog.errors import InsufficientStock
from catalog.list_entries import list_entries_stock_recount
from catalog.models import Stock, StockMovement
from shop.core.permissions import signed_in


def movement_write(
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
        created_by=signed_in(user),
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
    stock = Stock.objects.filter(pk=stock_id)
    # Free units before (adding) or after (removing): more than none on both sides.
    stays_free = F("quantity_reserved") - min(delta, 0)
    # update() skips auto_now: the row says when its units on hand last changed.
    changed = {"quantity": F("quantity") + delta, "updated_at": timezone.now()}
    if stock.filter(quantity__gt=stays_free).update(**changed) != 1:
        allowed = stock if delta > 0 else stock.filter(quantity__gte=stays_free)
        if allowed.update(**changed) != 1:
            free = stock.annotate(free=F("quantity") - F("quantity_reserved"))
            free_units = free.values_list("free", flat=True).first() or 0
            raise InsufficientStock(
                _("Only %(free)s units are free; %(asked)s cannot be removed.")
                % {"free": free_units, "asked": -delta},
                fields={"quantity": [_("At most %(free)s.") % {"free": free_units}]},
            )
        _stock_products_recount(stock_id)
    catalog_changed()
    return movement_write(
        stock_id=stock_id, delta=delta, reason=reason, reference=reference, note=note, user=user
    )


def _stock_products_recount(stock_id: int) -> None:
    """The row's free units went from some to none or back: recount its product at once
    (staff operations; they hold no other product's lock a checkout could wait for)."""
    product_ids = Stock.objects.filter(pk=stock_id).values_list("variant__product_id", flat=True)
    list_entries_stock_recount(product_ids=list(product_ids))

"""Stock services: every change of units on hand is a conditional update plus a movement row.

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

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.cache import catalog_changed
from catalog.errors import (
    EditionSizeExceeded,
    InsufficientStock,
    ReservedUnitsProtected,
    SameWarehouse,
    StockNotFound,
    WarehouseInactive,
)
from catalog.list_entries import list_entries_stock_recount, list_entries_stock_recount_on_commit
from catalog.models import (
    MovementReason,
    Product,
    ProductVariant,
    Stock,
    StockMovement,
    Warehouse,
)
from catalog.stock.queries import stock_hold_units, stock_release_units
from shop.core.errors import InvalidInput
from shop.core.permissions import signed_in

logger = logging.getLogger(__name__)


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
        created_by=signed_in(user),
    )


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
    product's entries are recounted after the commit.
    """
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    free_after = stock_release_units(stock_id=stock_id, quantity=quantity)
    if free_after is None:
        raise InsufficientStock(_("Fewer units are reserved than are being released."))
    if free_after <= quantity:  # none were free before
        list_entries_stock_recount_on_commit(stock_id=stock_id)


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
    stock = Stock.objects.filter(pk=stock_id)
    # Free units before (adding) or after (removing): more than none on both sides.
    stays_free = F("quantity_reserved") - min(delta, 0)
    # update() skips auto_now: the row says when its units on hand last changed.
    changed = {"quantity": F("quantity") + delta, "updated_at": timezone.now()}
    if stock.filter(quantity__gt=stays_free).update(**changed) != 1:
        allowed = stock if delta > 0 else stock.filter(quantity__gte=stays_free)
        if allowed.update(**changed) != 1:
            raise InsufficientStock(
                _("Not enough free units: reserved units cannot be removed."),
                fields={"quantity": [_("Not enough free units.")]},
            )
        _stock_products_recount(stock_id)
    catalog_changed()
    return _movement_write(
        stock_id=stock_id, delta=delta, reason=reason, reference=reference, note=note, user=user
    )


def _stock_products_recount(stock_id: int) -> None:
    """The row's free units went from some to none or back: recount its product at once
    (staff operations; they hold no other product's lock a checkout could wait for)."""
    product_ids = Stock.objects.filter(pk=stock_id).values_list("variant__product_id", flat=True)
    list_entries_stock_recount(product_ids=list(product_ids))


# Staff inventory operations: receipts, adjustments, counts, transfers, thresholds.
# Each takes the acting user for the audit trail; who may act where is checked by the
# caller (API view, admin, CSV import) with catalog.permissions.

# One operation moves at most this many units: far above any real batch, and it keeps
# the sums inside the database's integer range so bad input is refused, not a crash.
MAX_UNITS_PER_OPERATION = 1_000_000


def _whole_number(value: Any, field: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(fields={field: [_("Must be a whole number.")]})
    if value < minimum:
        raise InvalidInput(
            fields={field: [_("Must be at least %(minimum)s.") % {"minimum": minimum}]}
        )
    if abs(value) > MAX_UNITS_PER_OPERATION:
        raise InvalidInput(
            fields={
                field: [
                    _("Must be at most %(count)s units at a time.")
                    % {"count": MAX_UNITS_PER_OPERATION}
                ]
            }
        )
    return value


def _text(value: Any, field: str, *, max_length: int, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise InvalidInput(fields={field: [_("This field is required.")]})
    if len(text) > max_length:
        raise InvalidInput(
            fields={field: [_("At most %(count)s characters.") % {"count": max_length}]}
        )
    return text


def _refresh(stock: Stock) -> None:
    stock.refresh_from_db(fields=["quantity", "quantity_reserved", "updated_at"])


def _edition_figures(product_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Per product: units received, and the net of its corrections (adjustments and
    counts: negative when units were lost)."""
    rows = (
        StockMovement.objects.filter(
            stock__variant__product_id__in=list(product_ids),
            reason__in=(MovementReason.RECEIPT, *CORRECTIONS),
        )
        .values("stock__variant__product_id")
        .annotate(
            received=Sum("quantity_delta", filter=Q(reason=MovementReason.RECEIPT)),
            corrected=Sum("quantity_delta", filter=Q(reason__in=CORRECTIONS)),
        )
    )
    return {
        row["stock__variant__product_id"]: (row["received"] or 0, row["corrected"] or 0)
        for row in rows
    }


CORRECTIONS = (MovementReason.ADJUSTMENT, MovementReason.COUNT)


def _made(received: int, corrected: int) -> int:
    return received + max(0, corrected)


def edition_units_made(product_ids: Iterable[int]) -> dict[int, int]:
    """Units of each product ever made, as a limited edition counts them: every unit
    received, and the units found beyond those lost (adjustments and counts, net). A
    unit broken, lost or written off does not give its place in the edition to a new
    one; a unit lost and found again is counted once."""
    return {pk: _made(*figures) for pk, figures in _edition_figures(product_ids).items()}


def _edition_room_check(product_id: int, adding: int, *, correction: bool) -> None:
    """Refuse to add ``adding`` units of a limited edition (received, or found when
    ``correction``) when more than its edition size would then have been made
    (``edition_units_made``): on every path that adds units, receipts, adjustments,
    counts and imports. The product row is locked until the caller's transaction ends,
    so two additions at once cannot both squeeze under the limit (products are locked
    before stock rows, everywhere)."""
    product = Product.objects.select_for_update(of=("self",), no_key=True).get(pk=product_id)
    if product.edition_size is None or adding <= 0:
        return
    received, corrected = _edition_figures([product.pk]).get(product.pk, (0, 0))
    made = _made(received, corrected)
    after = _made(received, corrected + adding) if correction else made + adding
    if after > product.edition_size:
        raise EditionSizeExceeded(
            _("%(product)s is limited to %(size)s units and %(received)s already exist.")
            % {"product": product.slug, "size": product.edition_size, "received": made},
            edition_size=product.edition_size,
            units_received=made,
        )


@transaction.atomic
def stock_receive(
    *,
    variant: ProductVariant,
    warehouse: Warehouse,
    quantity: int,
    batch_reference: str,
    user: Any,
) -> StockMovement:
    """A production batch arrives in a warehouse; the stock row is created on first receipt.

    A limited edition never has more units in the world than its edition size
    (``_edition_room_check``).
    """
    quantity = _whole_number(quantity, "quantity", minimum=1)
    reference = _text(batch_reference, "batch_reference", max_length=100, required=True)
    if not warehouse.is_active:
        raise WarehouseInactive()
    _edition_room_check(variant.product_id, quantity, correction=False)
    stock, _created = Stock.objects.get_or_create(variant=variant, warehouse=warehouse)
    return stock_change(
        stock_id=stock.pk,
        delta=quantity,
        reason=MovementReason.RECEIPT,
        reference=reference,
        user=user,
    )


@transaction.atomic
def stock_adjust(*, stock: Stock, delta: int, note: str, user: Any) -> StockMovement:
    """Correct units on hand (damage, found units); reserved units are never removed."""
    delta = _whole_number(delta, "delta", minimum=-MAX_UNITS_PER_OPERATION)
    if delta == 0:
        raise InvalidInput(fields={"delta": [_("Cannot be zero.")]})
    note = _text(note, "note", max_length=500, required=True)
    _edition_room_check(stock.variant.product_id, delta, correction=True)
    movement = stock_change(
        stock_id=stock.pk, delta=delta, reason=MovementReason.ADJUSTMENT, note=note, user=user
    )
    _refresh(stock)
    return movement


@transaction.atomic
def stock_count(
    *, stock: Stock, counted_quantity: int, user: Any, note: str = ""
) -> StockMovement | None:
    """Set units on hand to what a stock count found; None when nothing changed.

    The row is locked while the difference is worked out, so a sale or receipt landing
    at the same moment is either counted in or applied after the count, never lost.
    """
    counted = _whole_number(counted_quantity, "counted_quantity", minimum=0)
    note = _text(note, "note", max_length=500, required=False)
    # The product first, then the stock row, as everywhere (_edition_room_check below).
    product_id = Stock.objects.values_list("variant__product_id", flat=True).get(pk=stock.pk)
    Product.objects.select_for_update(of=("self",), no_key=True).filter(pk=product_id).exists()
    current = Stock.objects.select_for_update(of=("self",), no_key=True).get(pk=stock.pk)
    if counted < current.quantity_reserved:
        raise ReservedUnitsProtected(
            _("%(count)s units are reserved; the count cannot be lower.")
            % {"count": current.quantity_reserved},
            fields={
                "counted_quantity": [
                    _("At least %(count)s.") % {"count": current.quantity_reserved}
                ]
            },
        )
    delta = counted - current.quantity
    if delta == 0:
        _refresh(stock)
        return None
    _edition_room_check(current.variant.product_id, delta, correction=True)
    movement = stock_change(
        stock_id=stock.pk,
        delta=delta,
        reason=MovementReason.COUNT,
        note=note or f"Counted {counted}.",
        user=user,
    )
    _refresh(stock)
    return movement


@dataclass(frozen=True)
class StockTransfer:
    reference: str
    movement_out: StockMovement
    movement_in: StockMovement


@transaction.atomic
def stock_transfer(
    *,
    variant: ProductVariant,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    quantity: int,
    user: Any,
) -> StockTransfer:
    """Move free units between warehouses: two movements sharing one transfer reference.

    Both rows are locked in primary-key order, so two transfers in opposite directions
    wait for each other instead of deadlocking.
    """
    quantity = _whole_number(quantity, "quantity", minimum=1)
    if from_warehouse.pk == to_warehouse.pk:
        raise SameWarehouse()
    if not to_warehouse.is_active:
        raise WarehouseInactive(
            _("Warehouse %(code)s is closed for stock changes.") % {"code": to_warehouse.code}
        )
    source = Stock.objects.filter(variant=variant, warehouse=from_warehouse).first()
    if source is None:
        raise StockNotFound(
            _("No stock of %(sku)s in warehouse %(code)s.")
            % {"sku": variant.sku, "code": from_warehouse.code}
        )
    target, _created = Stock.objects.get_or_create(variant=variant, warehouse=to_warehouse)
    list(
        Stock.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    )
    reference = f"transfer-{uuid.uuid4().hex[:16]}"
    movement_out = stock_change(
        stock_id=source.pk,
        delta=-quantity,
        reason=MovementReason.TRANSFER_OUT,
        reference=reference,
        note=f"To {to_warehouse.code}.",
        user=user,
    )
    movement_in = stock_change(
        stock_id=target.pk,
        delta=quantity,
        reason=MovementReason.TRANSFER_IN,
        reference=reference,
        note=f"From {from_warehouse.code}.",
        user=user,
    )
    return StockTransfer(reference=reference, movement_out=movement_out, movement_in=movement_in)


@transaction.atomic
def stock_low_threshold_set(*, stock: Stock, threshold: int, user: Any) -> Stock:
    """Below or at this many free units the stock shows up in low-stock alerts."""
    threshold = _whole_number(threshold, "threshold", minimum=0)
    Stock.objects.filter(pk=stock.pk).update(low_stock_threshold=threshold)
    catalog_changed()
    stock.low_stock_threshold = threshold
    _refresh(stock)
    logger.info(
        "low-stock threshold of stock %s set to %s by user %s",
        stock.pk,
        threshold,
        getattr(user, "pk", None),
    )
    return stock


# Reads for the staff screens (kept next to the writes they describe).


def stock_with_available() -> QuerySet[Stock]:
    return Stock.objects.select_related("variant__product", "warehouse__partner").annotate(
        available=F("quantity") - F("quantity_reserved")
    )


def stock_low_list(partner_id: int | None = None) -> QuerySet[Stock]:
    """Stocks in open warehouses whose free units are at or below their threshold."""
    queryset = stock_with_available().filter(
        Q(available__lte=F("low_stock_threshold")), warehouse__is_active=True
    )
    if partner_id is not None:
        queryset = queryset.filter(warehouse__partner_id=partner_id)
    return queryset.order_by("available", "variant__sku", "warehouse__code")

"""Staff inventory operations: receipts, adjustments, counts, transfers, thresholds.

Each takes the acting user for the audit trail; who may act where is checked by the
caller (API view, admin, CSV import) with catalog.permissions. Units change through
:mod:`catalog.stock.movements`, under its rules.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.cache import catalog_changed
from catalog.errors import ReservedUnitsProtected, SameWarehouse, StockNotFound, WarehouseInactive
from catalog.models import MovementReason, Product, ProductVariant, Stock, StockMovement, Warehouse
from catalog.stock.editions import edition_room_check
from catalog.stock.movements import stock_change
from shop.core.errors import InvalidInput
from shop.core.permissions import signed_in

logger = logging.getLogger(__name__)

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


@transaction.atomic
def stock_receive(
    *,
    variant: ProductVariant,
    warehouse: Warehouse,
    quantity: int,
    batch_reference: str,
    user: Any,
    note: str = "",
) -> StockMovement:
    """A production batch arrives in a warehouse; the stock row is created on first receipt.

    A limited edition never has more units in the world than its edition size
    (``edition_room_check``).
    """
    quantity = _whole_number(quantity, "quantity", minimum=1)
    reference = _text(batch_reference, "batch_reference", max_length=100, required=True)
    note = _text(note, "note", max_length=500, required=False)
    if not warehouse.is_active:
        raise WarehouseInactive()
    edition_room_check(variant.product_id, quantity, correction=False)
    stock, _created = Stock.objects.get_or_create(variant=variant, warehouse=warehouse)
    return stock_change(
        stock_id=stock.pk,
        delta=quantity,
        reason=MovementReason.RECEIPT,
        reference=reference,
        note=note,
        user=user,
    )


@transaction.atomic
def stock_adjust(*, stock: Stock, delta: int, note: str, user: Any) -> StockMovement:
    """Correct units on hand (damage, found units); reserved units are never removed."""
    delta = _whole_number(delta, "delta", minimum=-MAX_UNITS_PER_OPERATION)
    if delta == 0:
        raise InvalidInput(fields={"delta": [_("Cannot be zero.")]})
    note = _text(note, "note", max_length=500, required=True)
    edition_room_check(stock.variant.product_id, delta, correction=True)
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
    # The product first, then the stock row, as everywhere (edition_room_check below).
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
    edition_room_check(current.variant.product_id, delta, correction=True)
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
    reason: str = "",
) -> StockTransfer:
    """Move free units between warehouses: two movements sharing one transfer reference,
    each noting the other warehouse and the reason.

    Units sent into another partner's warehouse change hands, so that needs a reason:
    both partners read it on their side of the transfer. Both rows are locked in
    primary-key order, so two transfers in opposite directions wait for each other
    instead of deadlocking.
    """
    quantity = _whole_number(quantity, "quantity", minimum=1)
    reason = _text(reason, "reason", max_length=400, required=False)
    if from_warehouse.pk == to_warehouse.pk:
        raise SameWarehouse()
    if from_warehouse.partner_id != to_warehouse.partner_id and not reason:
        raise InvalidInput(
            fields={"reason": [_("Say why the units go to another partner's warehouse.")]}
        )
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
        note=" ".join(filter(None, [f"To {to_warehouse.code}.", reason])),
        user=user,
    )
    movement_in = stock_change(
        stock_id=target.pk,
        delta=quantity,
        reason=MovementReason.TRANSFER_IN,
        reference=reference,
        note=" ".join(filter(None, [f"From {from_warehouse.code}.", reason])),
        user=user,
    )
    return StockTransfer(reference=reference, movement_out=movement_out, movement_in=movement_in)


@transaction.atomic
def stock_low_threshold_set(*, stock: Stock, threshold: int, user: Any) -> Stock:
    """Below or at this many free units the stock shows up in low-stock alerts."""
    threshold = _whole_number(threshold, "threshold", minimum=0)
    stock.low_stock_threshold = threshold
    # Only these two columns are written (units stay as they are in the database); the
    # save leaves a history row with the old and new threshold and who set it.
    stock._history_user = signed_in(user)  # type: ignore[attr-defined]
    stock.save(update_fields=["low_stock_threshold", "updated_at"])
    catalog_changed()
    _refresh(stock)
    logger.info(
        "low-stock threshold of stock %s set to %s by user %s",
        stock.pk,
        threshold,
        getattr(user, "pk", None),
    )
    return stock


# Reads for the staff screens (kept next to the writes they describe).

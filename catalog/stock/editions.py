"""Limited editions: how many units of a product were ever made, and the check that no
path adding units makes more than its edition size."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from catalog.errors import EditionSizeExceeded
from catalog.models import MovementReason, Product, StockMovement


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


def edition_room_check(product_id: int, adding: int, *, correction: bool) -> None:
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

"""Stock as a CSV file: exported per warehouse and variant, and imported as receipts
and counts, in file order, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from catalog.csv.files import RowErrors, RowInvalid, csv_rows_read, csv_text
from catalog.csv.values import integer_value, text_value
from catalog.models import ProductVariant, Stock, Warehouse
from catalog.permissions import user_can_manage_warehouse
from catalog.stock.services import MAX_UNITS_PER_OPERATION, stock_count, stock_receive
from shop.core.errors import ShopError

STOCK_EXPORT_COLUMNS = [
    "warehouse",
    "partner",
    "sku",
    "product_slug",
    "quantity",
    "quantity_reserved",
    "quantity_available",
    "low_stock_threshold",
    "is_low",
]
STOCK_IMPORT_COLUMNS = ["action", "warehouse", "sku", "quantity", "batch_reference", "note"]
STOCK_ACTIONS = ("receipt", "count")


@dataclass(frozen=True)
class StockImportResult:
    receipts: int
    counts: int
    unchanged: int


def _stock_export_rows(stocks: QuerySet[Stock]) -> Iterator[list[Any]]:
    for stock in stocks:
        available = stock.quantity - stock.quantity_reserved
        yield [
            stock.warehouse.code,
            stock.warehouse.partner.code,
            stock.variant.sku,
            stock.variant.product.slug,
            stock.quantity,
            stock.quantity_reserved,
            available,
            stock.low_stock_threshold,
            "true" if available <= stock.low_stock_threshold else "false",
        ]


def stocks_csv(stocks: QuerySet[Stock]) -> Iterator[str]:
    stocks = stocks.select_related("warehouse__partner", "variant__product").order_by(
        "warehouse__code", "variant__sku"
    )
    return csv_text(STOCK_EXPORT_COLUMNS, _stock_export_rows(stocks))


_Planned = tuple[int, str, Warehouse, ProductVariant, int, dict[str, str]]


def _stock_row_quantity(
    values: dict[str, str], action: str, warehouse: Any, variant: Any, user: Any
) -> int:
    """The row's quantity, once the row is found fit to apply; RowInvalid otherwise."""
    if action not in STOCK_ACTIONS:
        raise RowInvalid("action", _("Use receipt or count."))
    if warehouse is None:
        raise RowInvalid("warehouse", _("No warehouse '%(code)s'.") % {"code": values["warehouse"]})
    if not user_can_manage_warehouse(user, warehouse):
        raise RowInvalid(
            "warehouse", _("%(code)s is not one of your warehouses.") % {"code": warehouse.code}
        )
    if variant is None:
        raise RowInvalid("sku", _("No variant '%(sku)s'.") % {"sku": values["sku"]})
    minimum = 1 if action == "receipt" else 0
    quantity = int(integer_value(values, "quantity", minimum=minimum, default=None))
    if quantity > MAX_UNITS_PER_OPERATION:
        raise RowInvalid("quantity", _("At most %(count)s.") % {"count": MAX_UNITS_PER_OPERATION})
    if action == "receipt":
        text_value(values, "batch_reference", 100, required=True)
    text_value(values, "note", 500, required=False)
    return quantity


def _stock_rows_plan(rows: list[tuple[int, dict[str, str]]], user: Any) -> list[_Planned]:
    """The rows to apply, in file order; raises ImportRejected with every bad row."""
    warehouses = {w.code: w for w in Warehouse.objects.all()}
    skus = {row["sku"] for _number, row in rows}
    variants = {v.sku: v for v in ProductVariant.objects.filter(sku__in=skus)}
    errors = RowErrors()
    planned: list[_Planned] = []
    counted: dict[tuple[str, str], int] = {}
    for number, values in rows:
        action = values["action"].lower()
        warehouse = warehouses.get(values["warehouse"])
        variant = variants.get(values["sku"])
        try:
            quantity = _stock_row_quantity(values, action, warehouse, variant, user)
        except RowInvalid as exc:
            errors.add(number, str(exc))
            continue
        assert warehouse is not None and variant is not None
        key = (warehouse.code, variant.sku)
        if action == "count" and key in counted:
            errors.add(
                number,
                _("sku: %(sku)s in %(warehouse)s is also counted on row %(row)s.")
                % {"sku": variant.sku, "warehouse": warehouse.code, "row": counted[key]},
            )
            continue
        if action == "count":
            counted[key] = number
        planned.append((number, action, warehouse, variant, quantity, values))
    errors.raise_if_any()
    return planned


def _stock_row_apply(planned: _Planned, user: Any) -> str:
    """Apply one row; answers what it was: a receipt, a count, or a count that changed
    nothing."""
    _number, action, warehouse, variant, quantity, values = planned
    if action == "receipt":
        stock_receive(
            variant=variant,
            warehouse=warehouse,
            quantity=quantity,
            batch_reference=values["batch_reference"],
            note=values["note"],
            user=user,
        )
        return "receipts"
    stock, _created = Stock.objects.get_or_create(variant=variant, warehouse=warehouse)
    movement = stock_count(stock=stock, counted_quantity=quantity, user=user, note=values["note"])
    return "counts" if movement is not None else "unchanged"


def stock_import(
    *, upload: Any, user: Any, progress: Callable[[int, int], None] | None = None
) -> StockImportResult:
    """Apply receipts and counts from a CSV (columns: action, warehouse, sku, quantity,
    batch_reference, note), in file order, all or nothing. ``progress(done, total)`` is
    told after each row (a task reports it to staff)."""
    planned = _stock_rows_plan(csv_rows_read(upload, STOCK_IMPORT_COLUMNS), user)
    errors = RowErrors()
    result = {"receipts": 0, "counts": 0, "unchanged": 0}
    with transaction.atomic():
        for done, row in enumerate(planned, start=1):
            if progress is not None:
                progress(done, len(planned))
            try:
                result[_stock_row_apply(row, user)] += 1
            except ShopError as exc:
                details = [f"{k}: {m}" for k, ms in exc.fields.items() for m in ms]
                errors.add(
                    row[0],
                    f"{exc.code}: {exc.message}" + "".join(f" ({detail})" for detail in details),
                )
        # Leaving the block with an error undoes every row applied before it.
        errors.raise_if_any()
    return StockImportResult(**result)

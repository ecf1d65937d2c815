"""CSV files staff exchange with the shop: products with their variants, and stock.

Imports are all or nothing: every row is checked first, and a file with any bad row is
refused with the row numbers and reasons, storing nothing. Files are UTF-8, with or
without the byte-order mark spreadsheet programs add. Row numbers count the header as
row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from catalog.errors import ImportRejected
from catalog.list_entries import list_entries_refresh
from catalog.models import (
    Collection,
    Product,
    ProductVariant,
    Relic,
    Stock,
    Tag,
    Warehouse,
)
from catalog.permissions import user_can_manage_warehouse
from catalog.search import product_search_text_refresh
from catalog.stock.editions import edition_units_made
from catalog.stock.services import MAX_UNITS_PER_OPERATION, stock_count, stock_receive
from shop.core.errors import Conflict, ShopError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_PRICE = Decimal("9999999999.99")
MAX_INTEGER = 2_147_483_647
TAG_SEPARATOR = "|"
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_TRUE = {"", "1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}

PRODUCT_FIELDS = [
    "product_slug",
    "product_name_zh",
    "product_name_en",
    "description_zh",
    "description_en",
    "collection",
    "relic",
    "tags",
    "edition_size",
    "purchase_limit",
    "product_is_active",
]
VARIANT_FIELDS = [
    "sku",
    "variant_name_zh",
    "variant_name_en",
    "price",
    "weight_grams",
    "position",
    "variant_is_active",
]
PRODUCT_COLUMNS = PRODUCT_FIELDS + VARIANT_FIELDS
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


class RowInvalid(Exception):
    def __init__(self, column: str, message: str) -> None:
        self.column = column
        self.message = message
        super().__init__(f"{column}: {message}")


@dataclass
class _Errors:
    """Problems found in a file, by row number."""

    rows: dict[int, list[str]] = field(default_factory=dict)

    def add(self, row: int, message: str) -> None:
        self.rows.setdefault(row, []).append(message)

    def raise_if_any(self) -> None:
        if not self.rows:
            return
        ordered = sorted(self.rows.items())
        raise ImportRejected(
            fields={f"row_{row}": messages for row, messages in ordered},
            rows=[{"row": row, "errors": messages} for row, messages in ordered],
        )


def _file_error(message: str) -> ImportRejected:
    return ImportRejected(fields={"file": [message]}, rows=[])


def csv_rows_read(upload: Any, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """The data rows of an uploaded CSV as (row number, values), after checking its shape."""
    if upload is None:
        raise _file_error(_("Attach the CSV file as the form field 'file'."))
    raw = upload.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _file_error(
            _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(_("The file is not UTF-8 text; save it as 'CSV UTF-8'.")) from exc
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _file_error(_("The file is not valid CSV: %(error)s.") % {"error": exc}) from exc
    if not records or not any(cell.strip() for cell in records[0]):
        raise _file_error(_("The file is empty; the first row must name the columns."))
    header = [cell.strip().lower() for cell in records[0]]
    missing = [column for column in columns if column not in header]
    unknown = [column for column in header if column not in columns]
    duplicated = sorted({column for column in header if header.count(column) > 1})
    problems = []
    if missing:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if duplicated:
        problems.append(_("Repeated columns: %(columns)s.") % {"columns": ", ".join(duplicated)})
    if problems:
        raise ImportRejected(fields={"file": problems}, rows=[])
    data = [(number, cells) for number, cells in enumerate(records[1:], start=2) if any(cells)]
    if not data:
        raise _file_error(_("The file has no data rows."))
    if len(data) > MAX_ROWS:
        raise _file_error(_("At most %(count)s rows per file.") % {"count": MAX_ROWS})
    errors = _Errors()
    rows = []
    for number, cells in data:
        if len(cells) != len(header):
            errors.add(
                number,
                _("Expected %(expected)s cells, found %(found)s.")
                % {"expected": len(header), "found": len(cells)},
            )
            continue
        rows.append(
            (number, {name: cell.strip() for name, cell in zip(header, cells, strict=True)})
        )
    errors.raise_if_any()
    return rows


def csv_text(columns: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV lines with a byte-order mark, so spreadsheet programs read the Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()


# Values


def _text(values: dict[str, str], column: str, max_length: int, *, required: bool) -> str:
    value = values[column]
    if required and not value:
        raise RowInvalid(column, _("This field is required."))
    if len(value) > max_length:
        raise RowInvalid(column, _("At most %(count)s characters.") % {"count": max_length})
    return value


def _slug(values: dict[str, str], column: str, max_length: int) -> str:
    value = _text(values, column, max_length, required=True)
    if not _SLUG.match(value):
        raise RowInvalid(column, _("Only letters, digits, '-' and '_'."))
    return value


def _integer(values: dict[str, str], column: str, *, minimum: int, default: int | None) -> Any:
    value = values[column]
    if value == "":
        if default is None:
            raise RowInvalid(column, _("This field is required."))
        return default
    if not re.fullmatch(r"-?\d+", value):
        raise RowInvalid(column, _("Must be a whole number."))
    number = int(value)
    if number < minimum:
        raise RowInvalid(column, _("Must be at least %(minimum)s.") % {"minimum": minimum})
    if number > MAX_INTEGER:
        raise RowInvalid(column, _("Too large."))
    return number


def _optional_positive(values: dict[str, str], column: str) -> int | None:
    if values[column] == "":
        return None
    return int(_integer(values, column, minimum=1, default=None))


def _boolean(values: dict[str, str], column: str) -> bool:
    value = values[column].lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RowInvalid(column, _("Use true or false."))


def _price(values: dict[str, str], column: str) -> Decimal:
    value = values[column]
    if not value:
        raise RowInvalid(column, _("This field is required."))
    try:
        price = Decimal(value)
    except InvalidOperation as exc:
        raise RowInvalid(column, _("Must be an amount in yuan, like 128.00.")) from exc
    if not price.is_finite() or price < 0 or price > MAX_PRICE:
        raise RowInvalid(column, _("Must be an amount between 0.00 and 9999999999.99."))
    exponent = price.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise RowInvalid(column, _("At most two decimal places (fen)."))
    return price.quantize(Decimal("0.01"))


# Products


@dataclass(frozen=True)
class ProductImportResult:
    products_created: int
    products_updated: int
    variants_created: int
    variants_updated: int


def _products_export_rows(products: QuerySet[Product]) -> Iterator[list[Any]]:
    for product in products:
        head = [
            product.slug,
            product.name_zh,
            product.name_en,
            product.description_zh,
            product.description_en,
            product.collection.slug if product.collection else "",
            product.relic.slug if product.relic else "",
            TAG_SEPARATOR.join(tag.slug for tag in product.tags.all()),
            product.edition_size if product.edition_size is not None else "",
            product.purchase_limit if product.purchase_limit is not None else "",
            "true" if product.is_active else "false",
        ]
        variants = list(product.variants.all())
        if not variants:
            yield head + [""] * len(VARIANT_FIELDS)
        for variant in variants:
            yield [
                *head,
                variant.sku,
                variant.name_zh,
                variant.name_en,
                f"{variant.price:.2f}",
                variant.weight_grams,
                variant.position,
                "true" if variant.is_active else "false",
            ]


def products_csv(products: QuerySet[Product] | None = None) -> Iterator[str]:
    """Every product, one row per variant, in the columns the import reads."""
    if products is None:
        products = Product.objects.all()
    products = products.select_related("collection", "relic").prefetch_related("tags", "variants")
    return csv_text(PRODUCT_COLUMNS, _products_export_rows(products.order_by("slug")))


def _product_values(values: dict[str, str], lookups: dict[str, Any]) -> dict[str, Any]:
    product: dict[str, Any] = {
        "slug": _slug(values, "product_slug", 120),
        "name_zh": _text(values, "product_name_zh", 200, required=True),
        "name_en": _text(values, "product_name_en", 200, required=True),
        "description_zh": values["description_zh"],
        "description_en": values["description_en"],
        "edition_size": _optional_positive(values, "edition_size"),
        "purchase_limit": _optional_positive(values, "purchase_limit"),
        "is_active": _boolean(values, "product_is_active"),
    }
    collection = values["collection"]
    if collection and collection not in lookups["collections"]:
        raise RowInvalid("collection", _("No collection '%(slug)s'.") % {"slug": collection})
    product["collection"] = lookups["collections"].get(collection)
    relic = values["relic"]
    if relic and relic not in lookups["relics"]:
        raise RowInvalid("relic", _("No relic '%(slug)s'.") % {"slug": relic})
    product["relic"] = lookups["relics"].get(relic)
    slugs = [slug.strip() for slug in values["tags"].split(TAG_SEPARATOR) if slug.strip()]
    unknown = [slug for slug in slugs if slug not in lookups["tags"]]
    if unknown:
        names = ", ".join(f"'{slug}'" for slug in unknown)
        raise RowInvalid("tags", _("No tag %(tags)s.") % {"tags": names})
    product["tags"] = tuple(sorted(set(slugs)))
    return product


def _variant_values(values: dict[str, str]) -> dict[str, Any] | None:
    if not values["sku"]:
        if any(values[column] for column in VARIANT_FIELDS):
            raise RowInvalid("sku", _("Needed when other variant columns are filled."))
        return None
    return {
        "sku": _text(values, "sku", 64, required=True),
        "name_zh": _text(values, "variant_name_zh", 200, required=False),
        "name_en": _text(values, "variant_name_en", 200, required=False),
        "price": _price(values, "price"),
        "weight_grams": _integer(values, "weight_grams", minimum=0, default=0),
        "position": _integer(values, "position", minimum=0, default=0),
        "is_active": _boolean(values, "variant_is_active"),
    }


def _products_parse(
    rows: list[tuple[int, dict[str, str]]],
) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    lookups = {
        "collections": {c.slug: c for c in Collection.objects.all()},
        "relics": {r.slug: r for r in Relic.objects.all()},
        "tags": {t.slug: t for t in Tag.objects.all()},
    }
    existing_skus = dict(ProductVariant.objects.values_list("sku", "product__slug"))
    products: dict[str, dict[str, Any]] = {}
    variants: dict[str, list[dict[str, Any]]] = {}
    seen_skus: dict[str, int] = {}
    errors = _Errors()
    for number, values in rows:
        try:
            product = _product_values(values, lookups)
            variant = _variant_values(values)
        except RowInvalid as exc:
            errors.add(number, str(exc))
            continue
        slug = product["slug"]
        first = products.get(slug)
        if first is not None and {**product, "row": first["row"]} != first:
            errors.add(
                number,
                _(
                    "product_slug: %(slug)s has different product values on row %(row)s; "
                    "repeat them exactly on every row."
                )
                % {"slug": slug, "row": products[slug]["row"]},
            )
            continue
        products.setdefault(slug, {**product, "row": number})
        if variant is None:
            continue
        sku = variant["sku"]
        if sku in seen_skus:
            errors.add(
                number,
                _("sku: %(sku)s is also on row %(row)s.") % {"sku": sku, "row": seen_skus[sku]},
            )
            continue
        seen_skus[sku] = number
        owner = existing_skus.get(sku)
        if owner is not None and owner != slug:
            errors.add(
                number,
                _("sku: %(sku)s belongs to product %(product)s.") % {"sku": sku, "product": owner},
            )
            continue
        variants.setdefault(slug, []).append(variant)
    received = edition_units_made(
        Product.objects.filter(slug__in=products, edition_size__isnull=False).values_list(
            "pk", flat=True
        )
    )
    ids = dict(Product.objects.filter(slug__in=products).values_list("slug", "pk"))
    for slug, product in products.items():
        made = received.get(ids.get(slug, -1), 0)
        if product["edition_size"] is not None and product["edition_size"] < made:
            errors.add(
                product["row"],
                _("edition_size: %(count)s units already exist.") % {"count": made},
            )
    errors.raise_if_any()
    return products, variants


def products_import(*, upload: Any, user: Any) -> ProductImportResult:
    """Create or update products and their variants (matched by slug and SKU) from a CSV.

    Variants missing from the file are left as they are; tags are set to the file's list.
    """
    products, variants = _products_parse(csv_rows_read(upload, PRODUCT_COLUMNS))
    tags = {
        tag.slug: tag
        for tag in Tag.objects.filter(
            slug__in={slug for product in products.values() for slug in product["tags"]}
        )
    }
    counts = {"products_created": 0, "products_updated": 0}
    counts.update(variants_created=0, variants_updated=0)
    saved: list[Product] = []
    try:
        with transaction.atomic():
            for slug, values in products.items():
                fields = {k: v for k, v in values.items() if k not in {"slug", "row", "tags"}}
                product, created = Product.objects.update_or_create(slug=slug, defaults=fields)
                counts["products_created" if created else "products_updated"] += 1
                product.tags.set([tags[tag] for tag in values["tags"]])
                for variant in variants.get(slug, []):
                    sku = variant["sku"]
                    _variant, created = ProductVariant.objects.update_or_create(
                        sku=sku, defaults={**variant, "product": product}
                    )
                    counts["variants_created" if created else "variants_updated"] += 1
                saved.append(product)
            for product in saved:
                product_search_text_refresh(product)
            list_entries_refresh(product_ids=[product.pk for product in saved])
    except IntegrityError as exc:
        raise Conflict(
            _("Another change to the same products landed first; upload the file again."),
            code="import_conflict",
        ) from exc
    return ProductImportResult(**counts)


# Stock


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


def stock_import(*, upload: Any, user: Any) -> StockImportResult:
    """Apply receipts and counts from a CSV (columns: action, warehouse, sku, quantity,
    batch_reference, note), in file order, all or nothing."""
    rows = csv_rows_read(upload, STOCK_IMPORT_COLUMNS)
    warehouses = {w.code: w for w in Warehouse.objects.all()}
    skus = {row["sku"] for _, row in rows}
    variants = {v.sku: v for v in ProductVariant.objects.filter(sku__in=skus)}
    errors = _Errors()
    planned: list[tuple[int, str, Warehouse, ProductVariant, int, dict[str, str]]] = []
    counted: dict[tuple[str, str], int] = {}
    for number, values in rows:
        action = values["action"].lower()
        warehouse = warehouses.get(values["warehouse"])
        variant = variants.get(values["sku"])
        try:
            if action not in STOCK_ACTIONS:
                raise RowInvalid("action", _("Use receipt or count."))
            if warehouse is None:
                raise RowInvalid(
                    "warehouse", _("No warehouse '%(code)s'.") % {"code": values["warehouse"]}
                )
            if not user_can_manage_warehouse(user, warehouse):
                raise RowInvalid(
                    "warehouse",
                    _("%(code)s is not one of your warehouses.") % {"code": warehouse.code},
                )
            if variant is None:
                raise RowInvalid("sku", _("No variant '%(sku)s'.") % {"sku": values["sku"]})
            minimum = 1 if action == "receipt" else 0
            quantity = _integer(values, "quantity", minimum=minimum, default=None)
            if quantity > MAX_UNITS_PER_OPERATION:
                raise RowInvalid(
                    "quantity", _("At most %(count)s.") % {"count": MAX_UNITS_PER_OPERATION}
                )
            if action == "receipt":
                _text(values, "batch_reference", 100, required=True)
            _text(values, "note", 500, required=False)
        except RowInvalid as exc:
            errors.add(number, str(exc))
            continue
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

    result = {"receipts": 0, "counts": 0, "unchanged": 0}
    with transaction.atomic():
        for number, action, warehouse, variant, quantity, values in planned:
            try:
                if action == "receipt":
                    stock_receive(
                        variant=variant,
                        warehouse=warehouse,
                        quantity=quantity,
                        batch_reference=values["batch_reference"],
                        user=user,
                    )
                    result["receipts"] += 1
                    continue
                stock, _created = Stock.objects.get_or_create(variant=variant, warehouse=warehouse)
                movement = stock_count(
                    stock=stock, counted_quantity=quantity, user=user, note=values["note"]
                )
                result["counts" if movement is not None else "unchanged"] += 1
            except ShopError as exc:
                details = [f"{k}: {m}" for k, ms in exc.fields.items() for m in ms]
                errors.add(
                    number,
                    f"{exc.code}: {exc.message}" + "".join(f" ({detail})" for detail in details),
                )
        # Leaving the block with an error undoes every row applied before it.
        errors.raise_if_any()
    return StockImportResult(**result)

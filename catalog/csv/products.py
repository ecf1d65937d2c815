"""Products with their variants as a CSV file: one row per variant, exported and
imported (created or updated, matched by slug and SKU)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from catalog.csv.files import RowErrors, RowInvalid, csv_rows_read, csv_text
from catalog.csv.values import (
    boolean_value,
    integer_value,
    optional_positive_value,
    price_value,
    slug_value,
    text_value,
)
from catalog.list_entries import list_entries_refresh
from catalog.models import Collection, Product, ProductVariant, Relic, Tag
from catalog.search import product_search_text_refresh
from catalog.stock.editions import edition_units_made
from shop.core.errors import Conflict

TAG_SEPARATOR = "|"
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
        "slug": slug_value(values, "product_slug", 120),
        "name_zh": text_value(values, "product_name_zh", 200, required=True),
        "name_en": text_value(values, "product_name_en", 200, required=True),
        "description_zh": values["description_zh"],
        "description_en": values["description_en"],
        "edition_size": optional_positive_value(values, "edition_size"),
        "purchase_limit": optional_positive_value(values, "purchase_limit"),
        "is_active": boolean_value(values, "product_is_active"),
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
        "sku": text_value(values, "sku", 64, required=True),
        "name_zh": text_value(values, "variant_name_zh", 200, required=False),
        "name_en": text_value(values, "variant_name_en", 200, required=False),
        "price": price_value(values, "price"),
        "weight_grams": integer_value(values, "weight_grams", minimum=0, default=0),
        "position": integer_value(values, "position", minimum=0, default=0),
        "is_active": boolean_value(values, "variant_is_active"),
    }


def _lookups() -> dict[str, dict[str, Any]]:
    return {
        "collections": {c.slug: c for c in Collection.objects.all()},
        "relics": {r.slug: r for r in Relic.objects.all()},
        "tags": {t.slug: t for t in Tag.objects.all()},
    }


def _product_conflict(products: dict[str, dict[str, Any]], product: dict[str, Any]) -> str:
    """Why the row's product values cannot be taken: another row of the same product
    says something else ("" when they can)."""
    first = products.get(product["slug"])
    if first is None or {**product, "row": first["row"]} == first:
        return ""
    return _(
        "product_slug: %(slug)s has different product values on row %(row)s; "
        "repeat them exactly on every row."
    ) % {"slug": product["slug"], "row": first["row"]}


def _variant_conflict(sku: str, slug: str, seen: dict[str, int], existing: dict[str, str]) -> str:
    """Why the row's variant cannot be taken: its SKU is on another row, or belongs to
    another product ("" when it can)."""
    if sku in seen:
        return _("sku: %(sku)s is also on row %(row)s.") % {"sku": sku, "row": seen[sku]}
    owner = existing.get(sku)
    if owner is not None and owner != slug:
        return _("sku: %(sku)s belongs to product %(product)s.") % {"sku": sku, "product": owner}
    return ""


def _edition_sizes_check(products: dict[str, dict[str, Any]], errors: RowErrors) -> None:
    """An edition size may not fall below the units of the product already made."""
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


def _products_parse(
    rows: list[tuple[int, dict[str, str]]],
) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    lookups = _lookups()
    existing_skus = dict(ProductVariant.objects.values_list("sku", "product__slug"))
    products: dict[str, dict[str, Any]] = {}
    variants: dict[str, list[dict[str, Any]]] = {}
    seen_skus: dict[str, int] = {}
    errors = RowErrors()
    for number, values in rows:
        try:
            product = _product_values(values, lookups)
            variant = _variant_values(values)
        except RowInvalid as exc:
            errors.add(number, str(exc))
            continue
        slug = product["slug"]
        conflict = _product_conflict(products, product)
        if conflict:
            errors.add(number, conflict)
            continue
        products.setdefault(slug, {**product, "row": number})
        if variant is None:
            continue
        conflict = _variant_conflict(variant["sku"], slug, seen_skus, existing_skus)
        if conflict:
            errors.add(number, conflict)
            continue
        seen_skus[variant["sku"]] = number
        variants.setdefault(slug, []).append(variant)
    _edition_sizes_check(products, errors)
    errors.raise_if_any()
    return products, variants


def products_import(
    *, upload: Any, user: Any, progress: Callable[[int, int], None] | None = None
) -> ProductImportResult:
    """Create or update products and their variants (matched by slug and SKU) from a CSV.

    Variants missing from the file are left as they are; tags are set to the file's list.
    ``progress(done, total)`` is told after each product (a task reports it to staff).
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
            for done, (slug, values) in enumerate(products.items(), start=1):
                if progress is not None:
                    progress(done, len(products))
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

"""The catalog in bulk: products with two variants each, pictures, listings in both
public channels, channel prices, and stock in both warehouses."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from dataclasses import dataclass
from decimal import Decimal

from bench.search import product_search_columns, product_search_terms, search_columns_prime
from bench.seed.database import copy_rows, execute, fetch, replica_mode, sequences_reset
from bench.seed.world import (
    COLLECTIONS,
    KINDS_EN,
    KINDS_ZH,
    NAMES_EN,
    NAMES_ZH,
    RELICS,
    STOCK_UNITS,
    TAGS,
    World,
)


def unit_price(index: int, position: int) -> Decimal:
    return Decimal(39 + (index * 37) % 900) + Decimal(20 * position) + Decimal("0.90")


def product_names(index: int) -> tuple[str, str]:
    zh = f"{NAMES_ZH[index % 10]}{KINDS_ZH[(index // 10) % 10]} {index}"
    en = f"{NAMES_EN[index % 10]} {KINDS_EN[(index // 10) % 10]} {index}"
    return zh, en


def product_slug(index: int) -> str:
    return f"bench-{index:06d}"


def variant_sku(index: int, position: int) -> str:
    return f"B{index:06d}-{position}"


def variant_id(index: int, position: int) -> int:
    return index * 2 + position + 1


def _picture_stored() -> tuple[str, int, int]:
    """One picture every product shows, stored once with its sizes, so the product list
    answers what a real catalog answers: addresses of files that exist. Its name, width
    and height."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from catalog.images.sizes import picture_sizes_make
    from catalog.models import ProductImage

    name = "products/bench/product.jpg"
    if not default_storage.exists(name):
        buffer = io.BytesIO()
        Image.new("RGB", (1600, 1600), "#8c2f39").save(buffer, format="JPEG")
        default_storage.save(name, ContentFile(buffer.getvalue()))
    picture = ProductImage(image=name)  # never saved: for its width, height and sizes
    picture_sizes_make(picture)
    return name, picture.width or 0, picture.height or 0


# The columns each bulk COPY writes, in the order of the rows below.
PRODUCT_COLUMNS = [
    "id",
    "slug",
    "collection_id",
    "relic_id",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "is_active",
    "personalisation_enabled",
    "personalisation_label_zh",
    "personalisation_label_en",
    "personalisation_charset",
    "search_text",
    "search_name",
    "search_related",
    "created_at",
    "updated_at",
]
VARIANT_COLUMNS = [
    "id",
    "product_id",
    "sku",
    "name_zh",
    "name_en",
    "options",
    "price",
    "weight_grams",
    "position",
    "is_active",
    "created_at",
    "updated_at",
]
IMAGE_COLUMNS = [
    "product_id",
    "image",
    "width",
    "height",
    "external_url",
    "alt_zh",
    "alt_en",
    "position",
]
STOCK_COLUMNS = [
    "variant_id",
    "warehouse_id",
    "quantity",
    "quantity_reserved",
    "low_stock_threshold",
    "updated_at",
]


@dataclass(frozen=True)
class _Batch:
    """The products ``start .. end - 1`` being added, with what their rows share."""

    world: World
    start: int
    end: int
    now: dt.datetime
    times: list[dt.datetime]  # when each was created
    tags: dict[int, tuple[int, int]]  # the numbers of its two tags

    @property
    def indexes(self) -> range:
        return range(self.start, self.end)


def _product_row(batch: _Batch, i: int, relic_id: int) -> tuple:
    zh, en = product_names(i)
    description_zh = f"取材于{NAMES_ZH[i % 10]}纹样的文创{KINDS_ZH[(i // 10) % 10]}。"
    description_en = f"A {KINDS_EN[(i // 10) % 10].lower()} after a palace pattern."
    # The search fields as catalog.search.index writes them (bench/search.py).
    related = [f"标签{t}" for t in batch.tags[i]] + [f"Tag {t}" for t in batch.tags[i]]
    base_zh, base_en = zh.rsplit(" ", 1)[0], en.rsplit(" ", 1)[0]
    name, related_text = product_search_columns(base_zh, base_en, i, related)
    search = "\n".join(
        [product_slug(i), zh, en, description_zh, description_en]
        + [f"tag-{t:02d}\n标签{t}\ntag {t}" for t in batch.tags[i]]
        + [variant_sku(i, 0), variant_sku(i, 1), name, related_text]
    ).lower()
    created = batch.times[i - batch.start]
    collection_id = batch.world.collection_ids[i % COLLECTIONS]
    return (
        *(i + 1, product_slug(i), collection_id, relic_id, zh, en),
        *(description_zh, description_en, True, False, "", "", ""),
        *(search, name, related_text, created, created),
    )


def _product_terms(batch: _Batch, i: int) -> list[tuple[int, str, bool]]:
    zh, en = product_names(i)
    base_zh, base_en = zh.rsplit(" ", 1)[0], en.rsplit(" ", 1)[0]
    name, _related = product_search_columns(base_zh, base_en, i, [])
    return product_search_terms(i + 1, name)


def _products_write(batch: _Batch) -> None:
    # Written with the products rather than updated after: an update writes every row
    # again, with all its search indexes.
    relic_ids = dict(
        fetch(
            "SELECT substring(slug from 7)::int, id FROM catalog_relic WHERE slug LIKE 'relic-%%'"
        )
    )
    search_columns_prime()
    rows = (_product_row(batch, i, relic_ids[i % RELICS]) for i in batch.indexes)
    copy_rows("catalog_product", PRODUCT_COLUMNS, rows)
    copy_rows(
        "catalog_searchterm",
        ["product_id", "term", "whole"],
        (term for i in batch.indexes for term in _product_terms(batch, i)),
    )
    tag_ids = dict(
        fetch("SELECT substring(slug from 5)::int, id FROM catalog_tag WHERE slug LIKE 'tag-%%'")
    )
    copy_rows(
        "catalog_product_tags",
        ["product_id", "tag_id"],
        ((i + 1, tag_ids[t]) for i in batch.indexes for t in sorted(set(batch.tags[i]))),
    )


def _variant_row(batch: _Batch, i: int, v: int) -> tuple:
    created = batch.times[i - batch.start]
    return (
        *(variant_id(i, v), i + 1, variant_sku(i, v), ["小号", "大号"][v], ["Small", "Large"][v]),
        *(json.dumps({"size": "SL"[v]}), unit_price(i, v), 200, v, True, created, created),
    )


def _variants_write(batch: _Batch) -> None:
    rows = (_variant_row(batch, i, v) for i in batch.indexes for v in (0, 1))
    copy_rows("catalog_productvariant", VARIANT_COLUMNS, rows)
    picture, width, height = _picture_stored()
    copy_rows(
        "catalog_productimage",
        IMAGE_COLUMNS,
        (
            (i + 1, picture, width, height, "", "产品图片", "Product photo", 0)
            for i in batch.indexes
        ),
    )


def _listings_and_stock_write(batch: _Batch) -> None:
    world, now = batch.world, batch.now
    channels = (world.web_channel_id, world.app_channel_id)
    copy_rows(
        "catalog_productchannellisting",
        ["product_id", "channel_id", "is_published", "created_at", "updated_at"],
        ((i + 1, c, True, now, now) for i in batch.indexes for c in channels),
    )
    # A tenth of the products have their own price in the app.
    copy_rows(
        "catalog_variantchannelprice",
        ["variant_id", "channel_id", "price"],
        (
            (
                variant_id(i, 0),
                world.app_channel_id,
                (unit_price(i, 0) * Decimal("0.9")).quantize(Decimal("0.01")),
            )
            for i in batch.indexes
            if i % 10 == 0
        ),
    )
    warehouses = sorted(world.warehouse_ids.values())
    # Every twentieth product's large size is sold out in both warehouses.
    copy_rows(
        "catalog_stock",
        STOCK_COLUMNS,
        (
            (variant_id(i, v), w, 0 if (i % 20 == 7 and v == 1) else STOCK_UNITS, 0, 5, now)
            for i in batch.indexes
            for v in (0, 1)
            for w in warehouses
        ),
    )


def catalog_grow(world: World, *, to: int, now: dt.datetime) -> int:
    """Add products ``world.products .. to - 1``: two variants each, stock in both
    warehouses, listed in both public channels. Returns the number of products added."""
    start, end = world.products, to
    if end <= start:
        return 0
    replica_mode()
    rng = random.Random(start)
    batch = _Batch(
        world=world,
        start=start,
        end=end,
        now=now,
        times=[now - dt.timedelta(days=rng.random() * 700) for _ in range(start, end)],
        tags={i: (i % TAGS, (i * 7 + 3) % TAGS) for i in range(start, end)},
    )
    _products_write(batch)
    _variants_write(batch)
    _listings_and_stock_write(batch)
    sequences_reset(CATALOG_TABLES)  # each moved past the ids used
    replica_mode(False)
    # What autovacuum does a minute after a bulk load, before the scenarios measure:
    # statistics, the visibility map index-only scans rely on, and the GIN indexes'
    # pending entries (a search reads those one by one until they are merged).
    execute("VACUUM ANALYZE " + ", ".join(CATALOG_TABLES))
    _list_entries_write()
    world.products = end
    return end - start


CATALOG_TABLES = [
    "catalog_product",
    "catalog_searchterm",
    "catalog_product_tags",
    "catalog_productvariant",
    "catalog_productimage",
    "catalog_productchannellisting",
    "catalog_variantchannelprice",
    "catalog_stock",
]


def _list_entries_write() -> None:
    """The product list's entries, as the shop's own writes keep them (the rows above
    were written behind its back), vacuumed like the tables they are made of."""
    from catalog.list_entries import list_entries_rebuild

    replica_mode()  # derived from rows known to be valid: no per-row foreign-key check
    list_entries_rebuild()
    replica_mode(False)
    execute("VACUUM ANALYZE catalog_productlistentry")

"""The list entries of a product as rows, to compare with what the catalog says."""

from __future__ import annotations

from django.db.models import F

from catalog.models import ProductListEntry
from tests.factories.catalog_scenes import FAN_SHOP_OPENS

NOW = FAN_SHOP_OPENS
ENTRY_FIELDS = [
    "channel_id",
    "slug",
    "name_zh",
    "name_en",
    "collection_id",
    "available_from",
    "available_until",
    "price_from",
    "has_free_units",
]


def entries(product) -> list[tuple]:
    """The product's entries, browsing first, then by channel."""
    rows = ProductListEntry.objects.filter(product=product).order_by(
        F("channel_id").asc(nulls_first=True)
    )
    return [tuple(getattr(row, field) for field in ENTRY_FIELDS) for row in rows]


def free_flags(product) -> set[bool]:
    return set(
        ProductListEntry.objects.filter(product=product).values_list("has_free_units", flat=True)
    )

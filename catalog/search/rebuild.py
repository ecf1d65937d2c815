"""Rebuilding the whole search index (``manage.py search_index_rebuild``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from catalog.models import Collection, Product, Relic, Tag
from catalog.search.index import names_searchable, product_search_text_refresh, words_remember
from catalog.search.models import SearchWord

CHUNK = 500


@dataclass(frozen=True)
class RebuildReport:
    products: int
    words: int
    chinese_trigrams_missing: str | None


def _chinese_trigrams_missing() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_length(show_trgm('仙鹤'), 1), current_setting('lc_ctype')")
        count, ctype = cursor.fetchone()
    return None if count else str(ctype)


def search_index_rebuild() -> RebuildReport:
    """The words of every relic, collection and tag name first (so the segmenter knows
    them when the products' names are cut), then every product, a chunk per transaction."""
    with transaction.atomic():
        SearchWord.objects.all().delete()
        for model in (Relic, Collection, Tag):
            for zh, en in model.objects.values_list("name_zh", "name_en").iterator():
                words_remember(names_searchable([zh, en])[1])
    products = Product.objects.select_related("relic", "collection").prefetch_related("tags")
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            for product in products.filter(pk__in=ids[start : start + CHUNK]):
                product_search_text_refresh(product)
    return RebuildReport(len(ids), SearchWord.objects.count(), _chinese_trigrams_missing())

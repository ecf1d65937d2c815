"""The catalog search: what a query means (query.py: words, synonyms, traditional and
simplified, pinyin, English stems), what a product is found by (index.py), how the
product list is filtered and ranked (filtering.py), suggestions while typing and "did
you mean" (suggestions.py), the segmenter's dictionary (dictionary.py).

The names below are the ones the rest of the shop uses.
"""

from catalog.search.index import (
    product_search_text_build,
    product_search_text_refresh,
    products_of_refresh,
)
from catalog.search.matching import TRIGRAM, product_ids_matching

__all__ = [
    "TRIGRAM",
    "product_ids_matching",
    "product_search_text_build",
    "product_search_text_refresh",
    "products_of_refresh",
]

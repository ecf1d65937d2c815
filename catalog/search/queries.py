"""The statements of autocomplete, written out: asked as the shopper types, a few times
per word, so what the ORM spent building and compiling them per request (its
querysets cannot be kept and given new values) was most of an answer's CPU.

:func:`product_suggestion_rows` is one round trip where the ORM took two (and SQLite
cannot order and cut inside a compound statement the ORM writes);
:func:`named_versions` asks the collections' and the relics' versions in one. Both go
through Django's cursor and run on PostgreSQL and SQLite
(tests/catalog/search/test_queries.py checks both engines).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection

# At most this many whole names and as many words are read per prefix (in the terms'
# order), then the first few of them ordered as a shopper wants them.
CANDIDATES_PER_KIND = 200
RANGE_END = "\U0010ffff"
_LANGUAGES = {"zh": "name_zh", "en": "name_en"}

# The first CANDIDATES_PER_KIND terms of one kind starting with the prefix, of products
# on show in the list asked (a channel's, with its window open, or browsing without
# one): one range of the terms' B-tree ``(whole, term COLLATE "C", product_id)``, in its
# order, each term's entry found by its unique index. The window is
# ``catalog.offers.window_open`` on the entry, as the product list reads it.
_CANDIDATES = """
    SELECT * FROM (
        SELECT entry.product_id, entry.slug, entry.{name} AS name FROM catalog_searchterm term
        JOIN catalog_productlistentry entry ON entry.product_id = term.product_id
        WHERE term.whole = %s AND term.term{collate} >= %s AND term.term{collate} < %s
          AND {channel}
          AND (entry.available_from IS NULL OR entry.available_from <= %s)
          AND (entry.available_until IS NULL OR entry.available_until > %s)
        ORDER BY term.term{collate}, term.product_id
        LIMIT {limit}
    ) {kind}
"""
# Those of whole names and of words together, each product once (UNION), ordered: the
# names that start with the prefix, then the shortest, then by slug.
_PRODUCTS = """
    SELECT found.slug, found.name FROM ({whole_names} UNION {words}) found
    JOIN catalog_product product ON product.id = found.product_id
    ORDER BY CASE WHEN product.search_name LIKE %s ESCAPE '\\' THEN 0 ELSE 1 END,
        LENGTH(found.name), found.slug
    LIMIT %s
"""


def _products_statement(name: str, browsing: bool) -> str:
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    channel = "entry.channel_id IS NULL" if browsing else "entry.channel_id = %s"
    kinds = {
        kind: _CANDIDATES.format(
            name=name, collate=collate, channel=channel, limit=CANDIDATES_PER_KIND, kind=kind
        )
        for kind in ("whole_names", "words")
    }
    return _PRODUCTS.format(**kinds)


def product_suggestion_rows(
    prefix: str, *, lang: str, channel_id: int | None, now: datetime.datetime, limit: int
) -> list[tuple[str, str]]:
    """``(slug, name in lang)`` of the first ``limit`` products on show (in the channel,
    at ``now``) with a name, or a word of one, starting with ``prefix`` (searchable form:
    :attr:`SearchTerm.term`), names that start with it first, then the shortest, then by
    slug; read from at most ``CANDIDATES_PER_KIND`` terms of each kind."""
    name = _LANGUAGES[lang]
    at = connection.ops.adapt_datetimefield_value(now)
    channel = [] if channel_id is None else [channel_id]
    starts = f"%\n={connection.ops.prep_for_like_query(prefix)}%"
    params: list[Any] = []
    for whole in (True, False):
        params += [whole, prefix, prefix + RANGE_END, *channel, at, at]
    with connection.cursor() as cursor:
        cursor.execute(_products_statement(name, channel_id is None), [*params, starts, limit])
        return [(slug, text) for slug, text in cursor.fetchall()]


_NAMED_VERSIONS = """
    SELECT (SELECT COUNT(*) FROM catalog_collection WHERE is_active = %s),
        (SELECT MAX(updated_at) FROM catalog_collection WHERE is_active = %s),
        (SELECT COUNT(*) FROM catalog_relic), (SELECT MAX(updated_at) FROM catalog_relic)
"""


def named_versions() -> dict[str, tuple[Any, Any]]:
    """``(number, last change)`` of the shown collections and of the relics, by model
    name: each changes whenever one of its rows does (or goes)."""
    with connection.cursor() as cursor:
        cursor.execute(_NAMED_VERSIONS, [True, True])
        collections, collection_changed, relics, relic_changed = cursor.fetchone()
    return {"Collection": (collections, collection_changed), "Relic": (relics, relic_changed)}

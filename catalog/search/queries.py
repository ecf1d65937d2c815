"""The statements of autocomplete, kept: asked as the shopper types, a few times per word,
so what the ORM spent building and compiling them per request (its querysets cannot be
kept and given new values) was most of an answer's CPU.

:func:`product_suggestion_rows` is one round trip where the ORM took two (and SQLite
cannot order and cut inside a compound statement the ORM writes): each kind of candidates
is a queryset that asks the ORM's rule for a list entry on show
(:func:`catalog.offers.entry_on_show`: the channel, and the window as
:func:`catalog.offers.window_open` opens it for the product list), compiled once per
connection (:class:`shop.core.kept_statements.KeptComposition`); only the ``UNION``
around them, ordered and cut, is written here.
:func:`named_versions` asks the collections' and the relics' versions in one. Both run on
PostgreSQL and SQLite (tests/catalog/search/test_queries.py checks both engines).
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.db import connection
from django.db.models import CharField, DateTimeField, Exists, F, IntegerField, OuterRef, QuerySet
from django.db.models.functions import Collate

from catalog.models import ProductListEntry
from catalog.offers import entry_on_show
from catalog.search.models import SearchTerm
from shop.core.kept_statements import KeptComposition, Slot

# At most this many whole names and as many words are read per prefix (in the terms'
# order), then the first few of them ordered as a shopper wants them.
CANDIDATES_PER_KIND = 200
RANGE_END = "\U0010ffff"
_LANGUAGES = {"zh": "name_zh", "en": "name_en"}
_TEXT: CharField[str, str] = CharField()
_ID: IntegerField[int, int] = IntegerField()
_MOMENT: DateTimeField[datetime.datetime, datetime.datetime] = DateTimeField()

# Those of whole names and of words together, each product once (UNION), ordered: the
# names that start with the prefix, then the shortest, then by slug.
_PRODUCTS = """
    SELECT product.slug, product.{name} FROM (
        SELECT * FROM ({whole_names}) whole_names UNION SELECT * FROM ({words}) words
    ) found
    JOIN catalog_product product ON product.id = found.product_id
    ORDER BY CASE WHEN product.search_name LIKE %s ESCAPE '\\' THEN 0 ELSE 1 END,
        LENGTH(product.{name}), product.slug
    LIMIT %s
"""


def _candidates(whole: bool, browsing: bool, limit: int) -> QuerySet[Any]:
    """The products of the first ``limit`` terms of one kind (``whole`` names, or words)
    in the range from slot ``prefix`` to slot ``end``, of products on show in the list
    asked (slots ``channel`` unless ``browsing``, and ``now``): one range of the terms'
    B-tree ``(whole, term COLLATE "C", product_id)`` in its order, each term's entry found
    by its unique index."""
    key = Collate("term", "C") if connection.vendor == "postgresql" else F("term")
    channel = None if browsing else Slot("channel", _ID)
    on_show = ProductListEntry.objects.filter(
        entry_on_show(channel, Slot("now", _MOMENT)), product=OuterRef("product_id")
    )
    terms = SearchTerm.objects.alias(key=key).filter(
        Exists(on_show), whole=whole, key__gte=Slot("prefix", _TEXT), key__lt=Slot("end", _TEXT)
    )
    return terms.order_by("key", "product_id").values("product_id")[:limit]


@functools.lru_cache(maxsize=32)
def _products_statement(vendor: str, name: str, browsing: bool, limit: int) -> KeptComposition:
    """The suggestions' statement for a language's ``name``, with or without a channel,
    reading at most ``limit`` candidates of each kind (on the database ``vendor``)."""
    parts = {
        kind: _candidates(whole, browsing, limit)
        for kind, whole in (("whole_names", True), ("words", False))
    }
    return KeptComposition(
        _PRODUCTS.replace("{name}", name), parts, [Slot("starts", _TEXT), Slot("limit", _ID)]
    )


def product_suggestion_rows(
    prefix: str, *, lang: str, channel_id: int | None, now: datetime.datetime, limit: int
) -> list[tuple[str, str]]:
    """``(slug, name in lang)`` of the first ``limit`` products on show (in the channel,
    at ``now``) with a name, or a word of one, starting with ``prefix`` (searchable form:
    :attr:`SearchTerm.term`), names that start with it first, then the shortest, then by
    slug; read from at most ``CANDIDATES_PER_KIND`` terms of each kind."""
    statement = _products_statement(
        connection.vendor, _LANGUAGES[lang], channel_id is None, CANDIDATES_PER_KIND
    )
    # Browsing without a channel reads entries that are always open: no moment asked.
    on_show = {} if channel_id is None else {"channel": channel_id, "now": now}
    return statement.rows(
        prefix=prefix,
        end=prefix + RANGE_END,
        starts=f"%\n={connection.ops.prep_for_like_query(prefix)}%",
        limit=limit,
        **on_show,
    )


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

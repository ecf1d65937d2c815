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
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from catalog.offers import entries_on_show
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


def term_key() -> Any:
    """The name terms' ``term`` as their index compares it: byte by byte (migration 0012);
    :func:`_collate` says the same in a written-out statement."""
    return Collate("term", "C") if connection.vendor == "postgresql" else F("term")


def _candidates(whole: bool, browsing: bool, limit: int) -> QuerySet[Any]:
    """The products of the first ``limit`` terms of one kind (``whole`` names, or words)
    in the range from slot ``prefix`` to slot ``end``, of products on show in the list
    asked (slots ``channel`` unless ``browsing``, and ``now``): one range of the terms'
    B-tree ``(whole, term COLLATE "C", product_id)`` in its order, each term's entry found
    by its unique index."""
    key = term_key()
    channel = None if browsing else Slot("channel", _ID)
    on_show = entries_on_show(channel, Slot("now", _MOMENT)).filter(product=OuterRef("product_id"))
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


# The candidates of a search's ranked page (catalog.search.filtering.candidates): a search
# that found more products than it counts ranks only these, so which ones they are is what
# a shopper sees first. In this order, cut at ``limit``: the products whose whole name is
# the query, with free units, then sold out; then those whose name has one of its words as
# a word (or from one on, "round fan" of "Crane Round Fan"), with free units, then sold
# out; each kind by product id. A sold-out product is thus never kept while one that can
# be bought and matches as well is left out.
#
# Each form's range of the name terms' B-tree ``(whole, term COLLATE "C", product_id)`` is
# read in product order, each term's entry looked up (on show by the list's own rule,
# catalog.offers.entry_on_show; free units), the ranges merged and cut: about ``limit``
# terms read for a word a tenth of the catalog holds, where sorting its whole range read
# 10,000. The entry is looked up in a subquery, not joined, so that PostgreSQL reads the
# terms first whatever it guesses of the entries (joined, it took sold-out entries for
# rare and read all of a channel's to find none) and plans a range in a fraction of what
# a join costs it (planning is most of a two-word query's time). The sold-out products
# named by a word are read only when the others did not fill the cut, then at once
# (planned once, not once per form).
_LOOKED_UP_RANGE = """
        SELECT * FROM (
            SELECT term.product_id FROM catalog_searchterm term
            WHERE term.whole = %s AND term.term{collate} = %s AND {on_show} = %s
            ORDER BY term.product_id LIMIT {limit}
        ) form_range"""
_RANGES = """
    SELECT DISTINCT product_id FROM ({ranges}) ranges ORDER BY product_id LIMIT {limit}"""
_SOLD_OUT = """
    SELECT DISTINCT term.product_id FROM catalog_searchterm term
    JOIN ({entries}) entry ON entry.product_id = term.product_id
    WHERE ({terms}) AND entry.has_free_units = %s
    ORDER BY term.product_id LIMIT {limit}"""
# Each kind is read only when the kinds before it did not fill the cut (a one-time filter:
# PostgreSQL does not start its scans otherwise).
_CANDIDATE_IDS = """
    WITH exact_free AS ({exact_free}),
    exact_sold_out AS (
        SELECT product_id FROM ({exact_sold_out}) kind
        WHERE (SELECT COUNT(*) FROM exact_free) < {limit}
    ),
    words_free AS (
        SELECT product_id FROM ({words_free}) kind
        WHERE (SELECT COUNT(*) FROM exact_free) + (SELECT COUNT(*) FROM exact_sold_out)
            < {limit}
    )
    SELECT product_id FROM (
        SELECT product_id, 0 AS kind FROM exact_free
        UNION ALL SELECT product_id, 1 FROM exact_sold_out
        UNION ALL SELECT product_id, 2 FROM words_free
        UNION ALL SELECT product_id, 3 FROM ({words_sold_out}) words_sold_out
        WHERE (SELECT COUNT(*) FROM (
            SELECT product_id FROM exact_free UNION SELECT product_id FROM exact_sold_out
            UNION SELECT product_id FROM words_free
        ) kept) < {limit}
    ) candidate
    GROUP BY product_id ORDER BY MIN(kind), product_id LIMIT {limit}
"""


def _collate() -> str:
    return ' COLLATE "C"' if connection.vendor == "postgresql" else ""


def _on_show(channel_id: int | None, now: datetime.datetime) -> tuple[str, list[Any]]:
    """Whether the term's product has free units, as a subquery of its list entry on show
    (None without one): the entry is found by the list's own rule,
    :func:`catalog.offers.entry_on_show`, compiled by the ORM."""
    entry = (
        entries_on_show(channel_id, now).order_by().filter(product_id=RawSQL("term.product_id", ()))
    )
    return _compiled(entry.values("has_free_units"))


def _compiled(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = queryset.query.get_compiler(using=connection.alias).as_sql()
    return f"({sql})", list(params)


def _ranges(
    template: str,
    terms: list[tuple[str, bool]],
    free: bool,
    on_show: tuple[str, list[Any]],
    limit: int,
) -> tuple[str, list[Any]]:
    """The products with any of ``terms`` (``(term, whole)``), their ranges merged."""
    if not terms:
        return "SELECT CAST(NULL AS BIGINT) AS product_id WHERE 1 = 0", []
    statement = template.format(collate=_collate(), on_show=on_show[0], limit=limit)
    values = [value for term, whole in terms for value in (whole, term, *on_show[1], free)]
    return _RANGES.format(ranges=" UNION ALL ".join([statement] * len(terms)), limit=limit), values


def _sold_out(
    terms: list[tuple[str, bool]], entries: tuple[str, list[Any]], limit: int
) -> tuple[str, list[Any]]:
    """The sold-out products with any of ``terms``, in one statement: joined to the
    ``entries`` on show, which PostgreSQL plans far cheaper than an entry looked up per
    term (the estimate of the lookup crossed its JIT threshold: 100 ms of compiling)."""
    kinds = [[term for term, whole in terms if whole is kind] for kind in (True, False)]
    conditions = [
        f"(term.whole = %s AND term.term{_collate()} IN ({', '.join(['%s'] * len(forms))}))"
        for forms in kinds
        if forms
    ]
    values = [
        value
        for kind, forms in zip((True, False), kinds, strict=True)
        if forms
        for value in (kind, *forms)
    ]
    statement = _SOLD_OUT.format(
        entries=entries[0], terms=" OR ".join(conditions) or "1 = 0", limit=limit
    )
    return statement, [*entries[1], *values, False]


def search_candidates_statement(
    whole: list[str],
    words: list[tuple[str, bool]],
    *,
    channel_id: int | None,
    now: datetime.datetime,
    limit: int,
) -> tuple[str, list[Any]]:
    """The statement (and its values) selecting the ids of a search's ranked candidates,
    at most ``limit``, in the list of ``channel_id`` at ``now``: products whose name is one
    of ``whole`` (the query's whole forms; ``whole`` terms), then those with a term
    ``(term, whole)`` of ``words``, with free units before sold-out ones (see above). Used
    as a subquery of the page's statements; runs on PostgreSQL and SQLite."""
    on_show = _on_show(channel_id, now)
    limit = int(limit)
    exact = [(form, True) for form in whole]
    parts = {
        "exact_free": _ranges(_LOOKED_UP_RANGE, exact, True, on_show, limit),
        "exact_sold_out": _ranges(_LOOKED_UP_RANGE, exact, False, on_show, limit),
        "words_free": _ranges(_LOOKED_UP_RANGE, words, True, on_show, limit),
        "words_sold_out": _sold_out(
            words,
            _compiled(
                entries_on_show(channel_id, now).order_by().values("product_id", "has_free_units")
            ),
            limit,
        ),
    }
    sql = _CANDIDATE_IDS.format(limit=limit, **{name: part[0] for name, part in parts.items()})
    return sql, [value for part in parts.values() for value in part[1]]

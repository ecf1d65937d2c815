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
from dataclasses import dataclass
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
# the query, with free units, then sold out; then those whose name has a word of the query
# as a word (or from one on, "round fan" of "Crane Round Fan") and whose texts hold every
# other word of it, with free units, then sold out; each kind by product id. A sold-out
# product is thus never kept while one that can be bought and matches as well is left out,
# and no candidate is one the page then drops for a word it lacks.
#
# Each form's range of the name terms' B-tree ``(whole, term COLLATE "C", product_id)`` is
# read in product order, each term's entry looked up (on show by the list's own rule,
# catalog.offers.entry_on_show; free units) and the ranges merged and cut: about ``limit``
# terms read for a word a tenth of the catalog holds. A query of several words reads the
# words' ranges of its rarest word only (the one with the fewest word terms, counted up to
# ``_RARITY_CAP``), each term's product probed for the other words as the page matches
# them (``search_text``), so the cut is filled with products the page keeps (reading
# either word's ranges, half of the 300 for ``round fans`` held "fan" alone). The entry
# and the probe are lookups in subqueries, not joins, so that PostgreSQL reads the terms
# first whatever it guesses of the entries (joined, it took sold-out entries for rare and
# read all of a channel's to find none; the probe joined, it walked every product by id),
# and written as plain conditions, not compared with a value: PostgreSQL then guesses half
# of the terms pass each (not 0.5%), so a range cut at ``limit`` is costed as the few
# hundred terms it reads, and the statement stays under its JIT threshold (crossed, 100 to
# 190 ms of compiling). The sold-out products named by a word are read only when the
# others did not fill the cut, then at once (planned once, not once per form).
_LOOKED_UP = """
        SELECT * FROM (
            SELECT term.product_id FROM catalog_searchterm term
            WHERE term.whole = %s AND term.term{collate} = %s AND {free}{on_show}{probe}
            ORDER BY term.product_id LIMIT {limit}
        ) form_range"""
_RANGES = """
    SELECT DISTINCT product_id FROM ({ranges}) ranges ORDER BY product_id LIMIT {limit}"""
_SOLD_OUT = """
    SELECT DISTINCT term.product_id FROM catalog_searchterm term
    JOIN ({entries}) entry ON entry.product_id = term.product_id
    WHERE ({terms}) AND entry.has_free_units = %s{probe}
    ORDER BY term.product_id LIMIT {limit}"""
# The product of a term holds every other word of the query (each a group of forms): a
# lookup per term, so that PostgreSQL reads the term's range first (joined, it planned a
# walk of every product by id for a common word).
_PROBE = """ AND (
                SELECT {groups} FROM catalog_product probed WHERE probed.id = term.product_id
            )"""
# How many terms a word's forms have, counted up to _RARITY_CAP; the rarest word drives.
_RARITY = """
        SELECT {group} AS word, COUNT(*) AS terms FROM (
            SELECT term.product_id FROM catalog_searchterm term
            WHERE term.whole = %s AND term.term{collate} IN ({forms}) LIMIT {cap}
        ) word_terms"""
_RARITY_CAP = 1000
_DRIVER = """
    driver AS (SELECT word FROM ({rarities}) rarity ORDER BY terms, word LIMIT 1),"""
_DRIVEN = """SELECT product_id FROM ({ranges}) driven WHERE (SELECT word FROM driver) = {group}"""
# Each kind is read only when the kinds before it did not fill the cut (a one-time filter:
# PostgreSQL does not start its scans otherwise).
_CANDIDATE_IDS = """
    WITH exact_free AS ({exact_free}),
    exact_sold_out AS (
        SELECT product_id FROM ({exact_sold_out}) kind
        WHERE (SELECT COUNT(*) FROM exact_free) < {limit}
    ),{driver}
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
_NOTHING = "SELECT CAST(NULL AS BIGINT) AS product_id WHERE 1 = 0"

Statement = tuple[str, list[Any]]
_NO_PROBE: Statement = ("", [])


@dataclass(frozen=True)
class Word:
    """A word of a search as its candidates read it: ``forms``, any of which a product's
    search text holds (the word, its stem, its synonyms); ``words``, those read as a word
    of a name; ``names``, those read as a whole name (a name of just that word)."""

    forms: tuple[str, ...]
    words: tuple[str, ...]
    names: tuple[str, ...]


def _collate() -> str:
    return ' COLLATE "C"' if connection.vendor == "postgresql" else ""


@functools.lru_cache(maxsize=2)
def _entry_statements(browsing: bool) -> dict[str, KeptComposition]:
    """The list entries on show (:func:`catalog.offers.entry_on_show`, the list's own rule)
    as a search's candidates read them, kept compiled (slots ``channel`` unless
    ``browsing``, and ``now``): ``on_show``, whether the term's product has free units, a
    subquery of its entry (None without one); ``entries``, every entry's product and free
    units. Built and compiled by the ORM each search, they were a quarter of its Python."""
    channel = None if browsing else Slot("channel", _ID)
    entries = entries_on_show(channel, Slot("now", _MOMENT)).order_by()
    entry = entries.filter(product_id=RawSQL("term.product_id", ())).values("has_free_units")
    return {
        "on_show": KeptComposition("({entry})", {"entry": entry}, []),
        "entries": KeptComposition(
            "({entries})", {"entries": entries.values("product_id", "has_free_units")}, []
        ),
    }


def _entries(kind: str, channel_id: int | None, now: datetime.datetime) -> Statement:
    """The kept statement ``kind`` of :func:`_entry_statements` for the list of
    ``channel_id`` at ``now`` (browsing without a channel reads entries always open)."""
    values = {} if channel_id is None else {"channel": channel_id, "now": now}
    sql, params = _entry_statements(channel_id is None)[kind].statement(**values)
    return sql, list(params)


def _probe(groups: list[tuple[str, ...]]) -> Statement:
    """The term's product holds a form of each of ``groups`` in its search text."""
    if not groups:
        return _NO_PROBE
    like = "probed.search_text LIKE %s ESCAPE '\\'"
    sql = " AND ".join(f"({' OR '.join([like] * len(group))})" for group in groups)
    values = [f"%{connection.ops.prep_for_like_query(form)}%" for group in groups for form in group]
    return _PROBE.format(groups=f"({sql})"), values


def _looked_up(
    term: str, whole: bool, free: bool, on_show: Statement, probe: Statement, limit: int
) -> Statement:
    """The first ``limit`` products, by id, with ``term`` (a whole name, or a word when not
    ``whole``), on show with (or without) free units, ``probe``'s condition met: one range
    of the terms' B-tree."""
    sql = _LOOKED_UP.format(
        collate=_collate(),
        free="" if free else "NOT ",
        on_show=on_show[0],
        probe=probe[0],
        limit=limit,
    )
    return sql, [whole, term, *on_show[1], *probe[1]]


def _merged(parts: list[Statement], limit: int) -> Statement:
    """The products of ``parts``, each once, by product id, the first ``limit``."""
    if not parts:
        return _NOTHING, []
    ranges = " UNION ALL ".join(sql for sql, _ in parts)
    return _RANGES.format(ranges=ranges, limit=limit), [v for _, values in parts for v in values]


def _word_ranges(word: Word, on_show: Statement, limit: int) -> list[Statement]:
    """The products with free units named by one of the ``word``'s forms, as a word of
    their name or as their whole name: one range each."""
    return [
        _looked_up(form, whole, True, on_show, _NO_PROBE, limit)
        for whole, forms in ((False, word.words), (True, word.names))
        for form in forms
    ]


def _words_free(words: list[Word], on_show: Statement, limit: int) -> tuple[Statement, Statement]:
    """The products with free units named by the rarest of ``words`` and holding the
    others, and the ``driver`` that names the rarest (empty unless two words are read)."""
    if len(words) == 1:
        return _merged(_word_ranges(words[0], on_show, limit), limit), _NO_PROBE
    # A name of one word holds no other word of the query: the words' ranges only.
    read = [word for word in words if word.words]
    rarities: list[Statement] = []
    driven: list[Statement] = []
    for number, word in enumerate(read):
        probe = _probe([other.forms for other in words if other is not word])
        parts = [_looked_up(form, False, True, on_show, probe, limit) for form in word.words]
        sql, values = _merged(parts, limit)
        if len(read) == 1:
            return (sql, values), _NO_PROBE
        driven.append((_DRIVEN.format(ranges=sql, group=number), values))
        forms = ", ".join(["%s"] * len(word.words))
        rarity = _RARITY.format(group=number, collate=_collate(), forms=forms, cap=_RARITY_CAP)
        rarities.append((rarity, [False, *word.words]))
    if not driven:
        return _merged([], limit), _NO_PROBE
    driver = _DRIVER.format(rarities=" UNION ALL ".join(sql for sql, _ in rarities))
    ranges = " UNION ALL ".join(sql for sql, _ in driven)
    return (
        (_RANGES.format(ranges=ranges, limit=limit), [v for _, vs in driven for v in vs]),
        (driver, [v for _, vs in rarities for v in vs]),
    )


def _words_sold_out(words: list[Word], entries: Statement, limit: int) -> Statement:
    """The sold-out products named by any of ``words`` and holding all of them, in one
    statement: joined to the ``entries`` on show, which PostgreSQL plans far cheaper than
    an entry looked up per term (the estimate of the lookup crossed its JIT threshold: 100
    ms of compiling)."""
    kinds = [
        (True, sorted({form for word in words for form in word.names})),
        (False, sorted({form for word in words for form in word.words})),
    ]
    conditions = [
        f"(term.whole = %s AND term.term{_collate()} IN ({', '.join(['%s'] * len(forms))}))"
        for _, forms in kinds
        if forms
    ]
    values = [value for kind, forms in kinds if forms for value in (kind, *forms)]
    probe = _probe([word.forms for word in words]) if len(words) > 1 else _NO_PROBE
    statement = _SOLD_OUT.format(
        entries=entries[0], terms=" OR ".join(conditions) or "1 = 0", probe=probe[0], limit=limit
    )
    return statement, [*entries[1], *values, False, *probe[1]]


def search_candidates_statement(
    whole: list[str],
    words: list[Word],
    *,
    channel_id: int | None,
    now: datetime.datetime,
    limit: int,
) -> Statement:
    """The statement (and its values) selecting the ids of a search's ranked candidates,
    at most ``limit``, in the list of ``channel_id`` at ``now``: products whose name is one
    of ``whole`` (the query's whole forms; ``whole`` terms), then those named by one of
    ``words`` and holding every one of them, with free units before sold-out ones (see
    above). Used as a subquery of the page's statements; runs on PostgreSQL and SQLite."""
    on_show = _entries("on_show", channel_id, now)
    limit = int(limit)
    exact = {
        free: _merged(
            [
                _looked_up(form, True, free, on_show, _NO_PROBE, limit)
                for form in sorted(set(whole))
            ],
            limit,
        )
        for free in (True, False)
    }
    words_free, driver = _words_free(words, on_show, limit)
    parts = {
        "exact_free": exact[True],
        "exact_sold_out": exact[False],
        "driver": driver,
        "words_free": words_free,
        "words_sold_out": _words_sold_out(words, _entries("entries", channel_id, now), limit),
    }
    sql = _CANDIDATE_IDS.format(limit=limit, **{name: part[0] for name, part in parts.items()})
    return sql, [value for part in parts.values() for value in part[1]]

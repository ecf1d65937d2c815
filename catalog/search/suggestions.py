"""Answers while the shopper types (autocomplete), and the closest catalog word to one
that finds nothing ("did you mean").

Autocomplete offers products, collections and relics whose name, or a word of it, starts
with what was typed, in Chinese (simplified or traditional), pinyin (full or initials) or
English: names that start with it first, then shorter names, then by slug. The products
are read from their name terms (:class:`SearchTerm`: one B-tree range per prefix), at
most ``queries.CANDIDATES_PER_KIND`` whole names and as many words on show in the channel, first
in the terms' order,
so a prefix that a tenth of the catalog shares answers as fast as a rare one. Two words
typed ("round f") match a name from one of its words on.

The closest word is the catalog word (:class:`SearchWord`) most similar by trigrams, at
least pg_trgm's 0.3 alike and of a length within two of the typed word's. PostgreSQL
finds it with pg_trgm's ``%`` over its trigram index; SQLite compares the same trigrams
in Python (:func:`catalog.search.text.similarity`) over at most ``CANDIDATES_MAX`` words.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import threading
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    FloatField,
    Func,
    QuerySet,
    Value,
)
from django.db.models.functions import Length

from catalog.models import Collection, Relic
from catalog.search.models import SearchWord
from catalog.search.queries import named_versions, product_suggestion_rows
from catalog.search.text import SIMILARITY_THRESHOLD, chunks, has_han, normalize, similarity

CANDIDATES_MAX = 20000
LENGTH_SLACK = 2
PRODUCTS_MAX, OTHERS_MAX = 8, 4
PREFIX_MAX_LENGTH = 50


class _Similar(Func):
    """pg_trgm's ``%``: similar at least ``pg_trgm.similarity_threshold`` (0.3)."""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class _Similarity(Func):
    function = "similarity"
    output_field = FloatField()


def word_closest(word: str) -> str | None:
    """The catalog word most like ``word``, or None."""
    if not word:
        return None
    near = SearchWord.objects.annotate(length=Length("word")).filter(
        length__gte=len(word) - LENGTH_SLACK, length__lte=len(word) + LENGTH_SLACK
    )
    if connection.vendor == "postgresql":
        found = (
            near.filter(_Similar("word", Value(word)))
            .annotate(score=_Similarity("word", Value(word)))
            .order_by("-score", "word")
            .values_list("word", flat=True)
            .first()
        )
        return found if found != word else None
    scored = [
        (similarity(candidate, word), candidate)
        for candidate in near.order_by("id").values_list("word", flat=True)[:CANDIDATES_MAX]
    ]
    alike = [(-score, candidate) for score, candidate in scored if score >= SIMILARITY_THRESHOLD]
    best = min(alike, default=None)
    return best[1] if best is not None and best[1] != word else None


@functools.lru_cache(maxsize=4096)
def typed_prefix(text: str) -> str:
    """What was typed, in searchable form: ``仙鹤团`` / ``xianhe`` / ``crane ro``."""
    parts = chunks(normalize(text)[:PREFIX_MAX_LENGTH])
    return "".join(parts) if all(has_han(part) for part in parts) else " ".join(parts)


@dataclass(frozen=True)
class Suggestion:
    kind: str
    slug: str
    name: str


def _product_suggestions(
    prefix: str, lang: str, channel_id: int | None, now: datetime.datetime
) -> list[Suggestion]:
    # Only the first candidates of each kind on show in the channel are ordered (names
    # that start with it, then the shortest, then by slug), so a prefix common to half
    # the catalog costs no more: one statement, kept compiled (catalog/search/queries.py).
    rows = product_suggestion_rows(
        prefix, lang=lang, channel_id=channel_id, now=now, limit=PRODUCTS_MAX
    )
    return [Suggestion("product", slug, name) for slug, name in rows]


@dataclass(frozen=True)
class _Named:
    """The shown collections or relics as autocomplete reads them: ``rows`` ``(slug,
    name_zh, name_en)``; ``lines`` every searchable line of their names (a whole name, or a
    word), sorted, with ``owners`` ``(row, whole)`` alike, so the lines starting with a
    prefix are one contiguous run found by bisection, not a scan of every name."""

    rows: list[tuple[str, str, str]]
    lines: list[str]
    owners: list[tuple[int, bool]]

    def starting(self, prefix: str) -> dict[int, bool]:
        """The rows with a line starting with ``prefix``: whether one is a whole name."""
        found: dict[int, bool] = {}
        at = bisect.bisect_left(self.lines, prefix)
        while at < len(self.lines) and self.lines[at].startswith(prefix):
            row, whole = self.owners[at]
            found[row] = found.get(row, False) or whole
            at += 1
        return found


_named_lock = threading.Lock()
_named: dict[str, tuple[Any, _Named]] = {}


def _named_of(model: type[Collection] | type[Relic]) -> _Named:
    from catalog.search.index import names_searchable

    shown: QuerySet[Any] = (
        Collection.objects.filter(is_active=True) if model is Collection else Relic.objects.all()
    )
    rows = list(shown.order_by("slug").values_list("slug", "name_zh", "name_en"))
    lines = sorted(
        (line.removeprefix("="), number, line.startswith("="))
        for number, (_slug, zh, en) in enumerate(rows)
        for line in names_searchable([zh, en])[0].split("\n")
        if line
    )
    return _Named(
        rows=rows,
        lines=[line for line, *_ in lines],
        owners=[(number, whole) for _line, number, whole in lines],
    )


def _named_kept(
    model: type[Collection] | type[Relic], versions: dict[str, tuple[Any, Any]]
) -> _Named:
    """Every shown collection or relic, kept per process until one of them changes
    (``versions``: :func:`named_versions`)."""
    version = versions[model.__name__]
    with _named_lock:
        kept = _named.get(model.__name__)
        if kept is not None and kept[0] == version:
            return kept[1]
    named = _named_of(model)
    with _named_lock:
        _named[model.__name__] = (version, named)
    return named


def _named_suggestions(
    model: Any, kind: str, prefix: str, lang: str, versions: dict[str, tuple[Any, Any]]
) -> list[Suggestion]:
    named = _named_kept(model, versions)
    found = []
    for number, whole in named.starting(prefix).items():
        slug, zh, en = named.rows[number]
        name = en if lang == "en" else zh
        found.append((not whole, len(name), slug, name))
    return [Suggestion(kind, slug, name) for *_, slug, name in sorted(found)[:OTHERS_MAX]]


def suggestions_for(
    text: str, *, lang: str, channel_id: int | None = None, now: datetime.datetime
) -> dict[str, list[Suggestion]]:
    """Products, collections and relics whose names start with what was typed."""
    prefix = typed_prefix(text)
    if not prefix:
        return {"products": [], "collections": [], "relics": []}
    versions = named_versions()
    return {
        "products": _product_suggestions(prefix, lang, channel_id, now),
        "collections": _named_suggestions(Collection, "collection", prefix, lang, versions),
        "relics": _named_suggestions(Relic, "relic", prefix, lang, versions),
    }

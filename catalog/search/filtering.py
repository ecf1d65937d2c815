"""The search applied to the product list: which entries a query finds, how well each
matches (the relevance the list is ordered by), and the fallback for typos.

Ranking (``search_rank``, highest first), per group of words of the query: 4 where it is
a word of the product's name, 3 where the name holds it otherwise (inside a word or its
pinyin), 2 where the relic's, collection's or a tag's name does, 1 elsewhere
(description, SKU, ...); plus 100 when the query is the product's whole name. The list
then puts products with free units before sold-out ones, and breaks ties by slug, so the
order is stable from page to page.

Bounded work: a search counts at most ``SEARCH_COUNT_MAX`` products (one past it, then
stops). When it found more, ranking them all would read every product found (a word a
tenth of the catalog holds); instead only its candidates are ranked — at most
``CANDIDATES_MAX`` products on show whose name is the query, then whose name has one of
its words as a word, those with free units before sold-out ones, from the name terms'
B-tree (:func:`candidates`) — and the other products found follow them by slug, read as
deep as the page asked for (``catalog.selectors.ProductList``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from catalog.models import Product
from catalog.search.matching import Characters, HoldsAll, ProductCharacters, few_characters
from catalog.search.queries import Word, search_candidates_statement
from catalog.search.query import SearchQuery, query_parse
from catalog.search.suggestions import word_closest
from catalog.search.text import has_han

EXACT = 100
NAME_WORD, IN_NAME, IN_RELATED, ELSEWHERE = 4, 3, 2, 1
RANK = "search_rank"
# A search counts its products up to this many (the product list's ``count_capped``).
SEARCH_COUNT_MAX = 1000
# Beyond that many found, only this many candidates are ranked; the rest follow by slug.
CANDIDATES_MAX = 300


@dataclass(frozen=True)
class SearchResult:
    """Entries found, and the corrected query when the shopper's found nothing."""

    entries: QuerySet[Any]
    query: SearchQuery
    # How many entries were found, counted to one past SEARCH_COUNT_MAX (see found_count).
    found: int = 0
    did_you_mean: str | None = None
    # The entries searched (every other filter applied), for narrowed().
    searched: QuerySet[Any] | None = None

    def narrowed(self) -> QuerySet[Any]:
        """``entries`` for rows already picked by id (the ranked candidates): the same
        products and ranks, matched without the characters index's condition."""
        assert self.searched is not None
        matching = _entries_matching(self.searched, self.query, narrowed=True)
        return matching.annotate(**{RANK: relevance(self.query)})


def found_count(entries: QuerySet[Any]) -> int:
    """How many ``entries`` there are, counted to one past ``SEARCH_COUNT_MAX``, then no
    further: a word a tenth of the catalog holds costs what a rare one does (the rank is
    not worked out for it)."""
    return entries.order_by().values("pk")[: SEARCH_COUNT_MAX + 1].count()


def _form_condition(form: str, prefix: str, narrowed: bool = False) -> Q:
    """One indexed match of a form in the product's search text: the trigram index of
    ``search_text`` serves it, or for a word too short for trigrams (团扇) the index of
    the characters it holds narrows the rows first. ``narrowed``: rows already picked
    (by id) need no index, and the characters condition, which the text's implies, is
    left out: tested row by row it costs PostgreSQL 0.1 ms a product (every text of it
    split into characters)."""
    condition = Q(**{f"{prefix}search_text__contains": form})
    if few_characters(form) and not narrowed:
        characters = HoldsAll(ProductCharacters(prefix), Characters(Value(form)))
        condition &= Q(characters)
    return condition


def _group_condition(group: tuple[str, ...], prefix: str = "", narrowed: bool = False) -> Q:
    """The product's search text holds any form of the group."""
    condition = Q()
    for form in group:
        condition |= _form_condition(form, prefix, narrowed)
    return condition


def _entries_matching(
    entries: QuerySet[Any], query: SearchQuery, narrowed: bool = False
) -> QuerySet[Any]:
    if not query.groups:
        return entries.none()
    # On the entry's own product row (one join, shared with the ranking), so the rank
    # is worked out only for the rows found, never for the whole catalog.
    condition = Q()
    for group in query.groups:
        condition &= _group_condition(group, "product__", narrowed)
    return entries.filter(condition)


def _any_contains(field: str, forms: tuple[str, ...] | list[str]) -> Q:
    condition = Q()
    for form in forms:
        condition |= Q(**{f"product__{field}__contains": form})
    return condition


def relevance(query: SearchQuery) -> Any:
    """The ``search_rank`` expression of a list entry for ``query``."""
    if not query.whole:
        return Value(0, output_field=IntegerField())
    score: Any = Case(
        When(_any_contains("search_name", [f"\n={w}\n" for w in query.whole]), then=EXACT),
        default=0,
        output_field=IntegerField(),
    )
    for group in query.groups:
        score = score + Case(
            When(_any_contains("search_name", [f"\n{w}\n" for w in group]), then=NAME_WORD),
            When(_any_contains("search_name", group), then=IN_NAME),
            When(_any_contains("search_related", group), then=IN_RELATED),
            default=ELSEWHERE,
            output_field=IntegerField(),
        )
    return score


def candidates(query: SearchQuery, *, channel_id: int | None, now: datetime.datetime) -> RawSQL:
    """The ids of the products ranked first when a search finds more than it counts, as a
    subquery: at most ``CANDIDATES_MAX`` of those on show in the list (``channel_id`` at
    ``now``) whose name is the query, then of those with one of its words (or two words
    from one on) as a word and every other word in its texts — the highest ranks but for
    names that merely hold the words — with free units before sold-out ones, so the cut
    never leaves out a product that can be bought for a sold-out one matching as well
    (``search_candidates_statement``)."""
    whole = set(query.whole)
    # A form of two words is a word term only as the end of a longer Latin name, which has
    # each word as a word: read by them. A form of the whole query is read as a whole name.
    words = [
        Word(
            forms=group,
            words=tuple(form for form in group if " " not in form),
            names=tuple(form for form in group if form not in whole),
        )
        for group in query.groups
    ]
    sql, params = search_candidates_statement(
        sorted(whole), words, channel_id=channel_id, now=now, limit=CANDIDATES_MAX
    )
    # The statement's text is fixed in queries.py; the words and the channel are values.
    return RawSQL(sql, params)  # noqa: S611


def _corrected(query: SearchQuery) -> SearchQuery | None:
    """The query with each word that finds nothing replaced by the closest catalog word
    (or, for Chinese, by its characters); None when nothing changed."""
    groups: list[tuple[str, ...]] = []
    changed = False
    for group in query.groups:
        if Product.objects.filter(_group_condition(group)).exists():
            groups.append(group)
            continue
        closest = word_closest(group[0])
        if closest is not None:
            groups.append((closest,))
        elif has_han(group[0]) and len(group[0]) > 1:
            groups += [(character,) for character in group[0]]
        else:
            return None
        changed = True
    if not changed:
        return None
    words = [group[0] for group in groups]
    whole = tuple(sorted({"".join(words), " ".join(words)}))
    return SearchQuery(text=query.text, groups=tuple(groups), whole=whole)


def _spoken(query: SearchQuery) -> str:
    words = query.words
    return ("" if all(has_han(word) for word in words) else " ").join(words)


def entries_search(entries: QuerySet[Any], text: str) -> SearchResult:
    """The entries ``text`` finds, annotated with their ``search_rank``, and how many
    (:func:`found_count`); when it finds nothing, those its correction finds, with the
    corrected text."""
    query = query_parse(text)
    found = _entries_matching(entries, query)
    # Counted at once (the list's count, no query when there are no words): whether the
    # words found anything decides whether to try a correction.
    counted = found_count(found)
    if query.groups and not counted:
        corrected = _corrected(query)
        if corrected is not None:
            retry = _entries_matching(entries, corrected)
            retry_counted = found_count(retry)
            if retry_counted:
                return SearchResult(
                    retry.annotate(**{RANK: relevance(corrected)}),
                    corrected,
                    found=retry_counted,
                    did_you_mean=_spoken(corrected),
                    searched=entries,
                )
    return SearchResult(
        found.annotate(**{RANK: relevance(query)}),
        query,
        found=counted,
        searched=entries,
    )

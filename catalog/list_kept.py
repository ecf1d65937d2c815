"""The product list's count and page entries as kept statements, for a list without search.

A list page's count and entries used to be built and compiled by the ORM for every
request: their shape follows the filters and the ordering, so they could not be kept as
the cards' reads are (:mod:`catalog.product_cards`). But without search a list has few
shapes: with or without a channel, which filters are given (their values are slots:
collection, tag, prices), whether in stock (``true``, ``false`` or not asked: a literal,
as the ORM writes a boolean), and the ordering. For each shape the entries are built
once by the filter set's own filters (``ProductFilter.entries_filtered``), then:

- the count is kept once, its bound (one past what is counted) a slot
  (``catalog.queries.LIST_COUNT``);
- a page by number is kept per offset and size (the ORM writes them into the SQL);
- a page by cursor is kept per direction and size, the cursor's key as slots.

Each statement is compiled once per connection (:mod:`shop.core.kept_statements`) and run
again with the request's values; the SQL is the ORM's, so the answers and the plans are
those of the queries built per request. A search's list is still built per request (its
statements follow its words: :mod:`catalog.search`).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import CharField, DateTimeField, Field, QuerySet
from django_filters.constants import EMPTY_VALUES

from catalog.filters import ProductFilter
from catalog.list_cursor import ListCursor, entries_from_cursor
from catalog.models import ProductListEntry
from catalog.offers import entries_on_show
from catalog.product_cards import ProductCard, cards_of_entry_values, entry_card_values
from catalog.queries import LIST_COUNT
from shop.core.kept_statements import ID_FIELD, KeptComposition, KeptStatement, Slot

_MOMENT: DateTimeField[datetime.datetime, datetime.datetime] = DateTimeField()
_TEXT: CharField[str, str] = CharField()
_meta = ProductListEntry._meta
_PRICE = _meta.get_field("price_from")
# The filters whose values are slots, and the field preparing each value.
_SLOTTED: dict[str, Any] = {
    "collection": _TEXT,
    "tag": _TEXT,
    "price_min": _PRICE,
    "price_max": _PRICE,
}


@dataclass(frozen=True)
class ListShape:
    """What a list's statements are kept by: all but the values of their slots."""

    browsing: bool  # without a channel (then no moment either: its entries are always open)
    slotted: tuple[str, ...]  # the filters given, of _SLOTTED, in its order
    in_stock: str  # "true", "false" or "" (not asked)
    ordering: tuple[str, ...]


@dataclass(frozen=True)
class KeptList:
    """A list without search: its shape and the values of its slots."""

    shape: ListShape
    values: dict[str, Any]

    def count(self, most: int) -> int:
        """The entries, counted up to ``most``."""
        rows = _count_statement(self.shape).rows(**self.values, most=most)
        return int(rows[0][0])

    @staticmethod
    def keeps(index: slice) -> bool:
        """Whether a slice of the list is read by a kept statement: a page with both
        bounds (the paginator's). An open-ended slice (iterating the list) is read as the
        ORM reads it: every product after its start, past the count's cap. Pages by
        number are kept per offset in a least-recently-used table, so the pages shoppers
        ask often stay kept while a crawler walks the others."""
        if index.step is not None or index.stop is None:
            return False
        return 0 <= (index.start or 0) < index.stop

    def page(self, start: int, stop: int, *, channel_id: int | None) -> list[ProductCard]:
        """The cards of the entries from ``start`` to ``stop`` (an offset's page)."""
        rows = _page_statement(self.shape, start, stop).rows(**self.values)
        return cards_of_entry_values(rows, list(self.shape.ordering), channel_id=channel_id)

    def next_to(
        self, cursor: ListCursor, size: int, *, channel_id: int | None
    ) -> list[ProductCard]:
        """Up to ``size`` cards next to the cursor's place, in the list's order."""
        statement = _cursor_statement(self.shape, cursor.fields, cursor.before, size)
        keys = {f"key{at}": value for at, value in enumerate(cursor.key)}
        rows = statement.rows(**self.values, **keys)
        return cards_of_entry_values(rows, list(self.shape.ordering), channel_id=channel_id)


def kept_list(
    filterset: ProductFilter, *, channel_id: int | None, now: datetime.datetime
) -> KeptList | None:
    """The kept statements' shape and values of a valid filter set's list; None for a
    search's."""
    cleaned = filterset.form.cleaned_data
    if cleaned.get("q") not in EMPTY_VALUES:
        return None
    slotted = tuple(name for name in _SLOTTED if cleaned.get(name) not in EMPTY_VALUES)
    shape = ListShape(
        browsing=channel_id is None,
        slotted=slotted,
        in_stock=cleaned.get("in_stock") or "",
        ordering=tuple(filterset.ordering_fields),
    )
    values = {name: cleaned[name] for name in slotted}
    if channel_id is not None:
        values.update(channel=channel_id, now=now)
    return KeptList(shape, values)


@functools.lru_cache(maxsize=1024)
def _entries(shape: ListShape) -> QuerySet[ProductListEntry]:
    """The entries of the list's shape, its values slots."""
    channel = None if shape.browsing else Slot("channel", ID_FIELD)
    on_show = entries_on_show(channel, Slot("now", _MOMENT))
    values: dict[str, Any] = {name: Slot(name, _SLOTTED[name]) for name in shape.slotted}
    if shape.in_stock:
        values["in_stock"] = shape.in_stock
    return ProductFilter.entries_filtered(on_show, values, list(shape.ordering))


@functools.lru_cache(maxsize=1024)
def _count_statement(shape: ListShape) -> KeptComposition:
    entries = _entries(shape).order_by().values("pk")
    return KeptComposition(LIST_COUNT, {"entries": entries}, [Slot("most", ID_FIELD)])


@functools.lru_cache(maxsize=512)
def _page_statement(shape: ListShape, start: int, stop: int) -> KeptStatement[dict[str, Any]]:
    page = _entries(shape).values("pk")[start:stop]
    return KeptStatement(entry_card_values(page, list(shape.ordering)))


@functools.lru_cache(maxsize=256)
def _cursor_statement(
    shape: ListShape, fields: tuple[str, ...], before: bool, size: int
) -> KeptStatement[dict[str, Any]]:
    keys = tuple(
        Slot(f"key{at}", cast("Field[Any, Any]", _meta.get_field(field.lstrip("-"))))
        for at, field in enumerate(fields)
    )
    place = ListCursor(fields=fields, key=keys, before=before)
    entries = entries_from_cursor(_entries(shape), list(shape.ordering), place)
    return KeptStatement(entry_card_values(entries.values("pk")[:size], list(shape.ordering)))

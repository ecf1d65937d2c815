"""Reading the public catalog: what a shopper may see, in which channel, at which price.

A product is on show when it is active and has at least one active variant. Without a
channel every such product is shown (catalog browsing, list prices); with a channel only
those published there right now are shown, at the channel's prices where it has its own.

Stock is reported as a level (``in_stock``, ``low``, ``sold_out``), never as a count: free
units (on hand minus reserved, over the active warehouses) against the sum of the stock
rows' low-stock thresholds. Prices and stock are annotated with subqueries so a page costs
the same number of queries whatever its size.

The product list is counted, filtered, ordered and cut into pages on the list entries
(:class:`ProductListEntry`, kept by :mod:`catalog.list_entries`), one narrow indexed row
per product and channel; prices and stock are then worked out only for the products of
the page. So a page costs about the same at 1,000 or 100,000 products: the count and a
deep page read one index (an index-only scan), not every product with its prices.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, overload

from django.db.models import CharField, DateTimeField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.filters import ProductFilter
from catalog.list_cursor import ListCursor, entries_from_cursor, keyset_fields
from catalog.list_kept import KeptList, kept_list
from catalog.models import (
    Collection,
    Product,
    ProductListEntry,
)
from catalog.offers import entries_on_show, published_now
from catalog.product_cards import (
    CardPicture,
    Named,
    ProductCard,
    card_rows,
    cards_of_entries,
    cards_of_rows,
    pictures_of,
    product_variants,
    tags_of,
)
from catalog.search.filtering import RANK, SEARCH_COUNT_MAX, candidates
from shop.core.errors import InvalidInput, NotFound
from shop.core.i18n import ZH
from shop.core.kept_statements import ID_FIELD, KeptStatement, Slot

# A list without search counts up to this many products (one past it, then stops), or
# as far as the page after the one asked: a count no longer reads every entry of the
# channel, 63 ms of PostgreSQL at 100,000 products.
LIST_COUNT_MAX = 1000

_SLUG: CharField[str, str] = CharField()
_MOMENT: DateTimeField[datetime.datetime, datetime.datetime] = DateTimeField()

IN_STOCK = "in_stock"
LOW = "low"
SOLD_OUT = "sold_out"


def availability_level(quantity_available: int | None, low_stock_threshold: int | None) -> str:
    """The stock level a shopper sees; the exact count stays in the warehouse."""
    available = quantity_available or 0
    if available <= 0:
        return SOLD_OUT
    if available <= (low_stock_threshold or 0):
        return LOW
    return IN_STOCK


def _form_errors(errors: Mapping[str, Any]) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in errors.items()}


class ProductList:
    """The products a shopper may browse, in order: counted and cut into pages on their
    list entries, read as cards (:mod:`catalog.product_cards`: prices, stock, tags and
    pictures) only a page at a time.

    Behaves as the sequence Django's paginator expects: ``count()``, ``len()``, slices
    (a list of products, in order) and iteration.
    """

    def __init__(
        self,
        *,
        entries: QuerySet[ProductListEntry] | Callable[[], QuerySet[ProductListEntry]],
        ordering: list[str],
        channel_id: int | None,
        did_you_mean: str | None = None,
        count_max: int | None = None,
        found: int | None = None,
        candidates: Callable[[], RawSQL] | None = None,
        narrowed: Callable[[], QuerySet[Any]] | None = None,
        searching: bool = False,
        kept: KeptList | None = None,
    ) -> None:
        # The entries, or what builds them when first asked (a kept list's statements are
        # kept already: catalog.list_kept).
        self._entries = entries
        self.kept = kept
        self.ordering = ordering
        self.channel_id = channel_id
        # The corrected query whose products these are, when the shopper's found none.
        self.did_you_mean = did_you_mean
        # A search counts its products up to this many (None: every list entry counted).
        self.count_max = count_max
        self.count_capped = False
        # A list without search counts as far as the page after the one asked, at least.
        self.pages_past_count_max = not searching
        self.count_through = 0
        self._count: int | None = None
        # What the search counted already (to one past count_max), or None: counted here.
        self._found = found
        # A search by relevance: builds the product ids ranked first when it found more
        # than it counts (the others follow by slug), so a page never ranks every product
        # found; built only then.
        self.candidates = candidates
        # The entries found, for rows already picked by id (SearchResult.narrowed).
        self.narrowed = narrowed

    @property
    def entries(self) -> QuerySet[ProductListEntry]:
        if callable(self._entries):
            self._entries = self._entries()
        return self._entries

    def count(self) -> int:
        """How many products the list holds, at most ``count_max`` (or ``count_through``
        when that is further), and ``count_capped`` then says there are more. A search's
        pages reach the first ``count_max`` only; a list's reach every product, since the
        page asked counts one page past itself."""
        if self._count is None:
            if self.count_max is None:
                self._count = self.entries.count()
            else:
                # Counting stops at one past the cap: a word a tenth of the catalog holds
                # costs what a rare one does, and so does a catalog of 100,000 products.
                most = max(self.count_max, self.count_through)
                found = self._found
                if found is None and self.kept is not None:
                    found = self.kept.count(most + 1)
                if found is None:
                    found = self.entries.order_by().values("pk")[: most + 1].count()
                self.count_capped = found > most
                self._count = min(found, most)
        return self._count

    def count_through_page(self, page: int, page_size: int) -> None:
        """Count far enough for page ``page`` (from 1) and the one after it: the list's
        own pages (not a search's) reach past ``count_max``, at the cost of the offset."""
        if self.pages_past_count_max:
            self.count_through = (page + 1) * page_size

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> ProductCard: ...

    @overload
    def __getitem__(self, index: slice) -> list[ProductCard]: ...

    def __getitem__(self, index: int | slice) -> ProductCard | list[ProductCard]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError("product list index out of range")
            return found[0]
        if self.candidates is not None and self.count() and self.count_capped:
            return cards_of_rows(self._bounded_rows(index), channel_id=self.channel_id)
        if any(field.lstrip("-") not in ENTRY_FIELDS for field in self.ordering):
            # By relevance: the page's entries are read in order with what their cards show.
            return cards_of_rows(card_rows(self.entries[index]), channel_id=self.channel_id)
        # The page's entries are picked in a subquery (the index alone), so the stock,
        # tags and pictures are read for those products only, not for every row skipped
        # before them.
        if self.kept is not None and self.kept.keeps(index):
            return self.kept.page(index.start or 0, index.stop, channel_id=self.channel_id)
        return cards_of_entries(
            self.entries.values("pk")[index], self.ordering, channel_id=self.channel_id
        )

    def _bounded_rows(self, index: slice) -> list[tuple]:
        """The card rows of a page of a search that found more than it counts: its
        candidates ranked (at most a few hundred), then the other products it found by
        slug, read from the slug index only as deep as the page."""
        assert self.candidates is not None
        found = self.entries if self.narrowed is None else self.narrowed().order_by(*self.ordering)
        candidates = self.candidates()  # built only for a search that found more than it counts
        ranked = found.filter(product_id__in=candidates)
        start, stop = index.start or 0, index.stop
        rows = card_rows(ranked[start:stop])
        if stop is not None and len(rows) == stop - start:
            return rows
        # The ranked candidates end on this page, or before it (then counted: a deep page).
        ranked_count = start + len(rows) if rows or not start else ranked.count()
        rest = self.entries.exclude(product_id__in=candidates).order_by("channel_id", "slug")
        end = None if stop is None else stop - ranked_count
        return rows + card_rows(rest[max(start - ranked_count, 0) : end])

    def __iter__(self) -> Iterator[ProductCard]:
        return iter(self[:])

    @property
    def keyset_fields(self) -> tuple[str, ...]:
        """The ordering's fields that place a product in the list (a cursor's key)."""
        return keyset_fields(self.ordering)

    @property
    def pages_by_cursor(self) -> bool:
        """Whether the list can be read a page after another by cursor: a list without
        search (a search's pages reach its first ``SEARCH_COUNT_MAX`` products only, so
        their offsets are bounded, and relevance is no column of the entries)."""
        return self.pages_past_count_max

    def keyset_page(self, cursor: ListCursor, size: int) -> tuple[list[ProductCard], bool]:
        """Up to ``size`` cards next to the cursor's place (after it, or before it when it
        points backwards), in the list's order, and whether more follow in that direction.

        Read from the list's index at the cursor's place: the cost does not grow with the
        depth of the page, as an offset's does.
        """
        if self.kept is not None:
            cards = self.kept.next_to(cursor, size + 1, channel_id=self.channel_id)
        else:
            entries = entries_from_cursor(self.entries, self.ordering, cursor)
            cards = cards_of_entries(
                entries.values("pk")[: size + 1], self.ordering, channel_id=self.channel_id
            )
        more = len(cards) > size
        if more:
            cards = cards[1:] if cursor.before else cards[:size]
        return cards, more


ENTRY_FIELDS = {field.attname for field in ProductListEntry._meta.concrete_fields}


def product_list(
    *,
    filters: Mapping[str, Any] | None = None,
    channel_id: int | None = None,
    lang: str = ZH,
    now: datetime.datetime | None = None,
) -> ProductList:
    """The products a shopper may browse, filtered and ordered by the query string.

    Raises :class:`InvalidInput` (with the failing fields) for a bad filter value.
    """
    now = now or timezone.now()
    filterset = ProductFilter(data=filters or {}, lang=lang)
    if not filterset.is_valid():
        raise InvalidInput(fields=_form_errors(filterset.errors))

    def entries() -> QuerySet[ProductListEntry]:
        # The entries hold the windows of the published listings (catalog.list_entries).
        filterset.queryset = entries_on_show(channel_id, now)
        return filterset.qs  # runs the filters, the search among them

    kept = kept_list(filterset, channel_id=channel_id, now=now)
    if kept is not None:
        # Without search the count and the pages are kept statements (catalog.list_kept):
        # the entries are built only if something else asks for them.
        return ProductList(
            entries=entries,
            ordering=filterset.ordering_fields,
            channel_id=channel_id,
            count_max=LIST_COUNT_MAX,
            kept=kept,
        )
    entries_found = entries()
    search = filterset.search
    ranked = f"-{RANK}" in filterset.ordering_fields
    return ProductList(
        entries=entries_found,
        ordering=filterset.ordering_fields,
        channel_id=channel_id,
        did_you_mean=search.did_you_mean if search is not None else None,
        count_max=SEARCH_COUNT_MAX if search is not None else LIST_COUNT_MAX,
        found=search.found if search is not None else None,
        candidates=(
            functools.partial(candidates, search.query, channel_id=channel_id, now=now)
            if search is not None and ranked
            else None
        ),
        narrowed=search.narrowed if search is not None else None,
        searching=search is not None,
    )


@dataclass(frozen=True)
class ProductPage:
    """One product as its page shows it: the product with its collection and relic, its
    active variants in order (annotated with ``effective_price``, ``quantity_available``
    and ``low_stock_threshold``), its tags and the pictures shoppers see."""

    product: Product
    active_variants: list[Any]  # ProductVariant rows with the annotations above
    tags: list[Named]
    pictures: list[CardPicture]

    @property
    def slug(self) -> str:
        return self.product.slug

    @property
    def price_from(self) -> Decimal:
        """The cheapest active variant in the channel (the list's ``price_from``)."""
        return min(variant.effective_price for variant in self.active_variants)

    @property
    def quantity_available(self) -> int:
        return sum(variant.quantity_available for variant in self.active_variants)

    @property
    def low_stock_threshold(self) -> int:
        return sum(variant.low_stock_threshold for variant in self.active_variants)


@functools.lru_cache(maxsize=2)
def _product_statement(browsing: bool) -> KeptStatement[Product]:
    """The product a page shows by its slug (slot ``slug``), active and, in a channel
    (slot ``channel``), published there at slot ``now``, with its collection and relic:
    kept, as the page's other reads are (catalog.product_cards)."""
    products = Product.objects.filter(slug=Slot("slug", _SLUG), is_active=True)
    if not browsing:
        products = products.filter(published_now(Slot("channel", ID_FIELD), Slot("now", _MOMENT)))
    return KeptStatement(products.select_related("collection", "relic").order_by("pk")[:1])


def product_get(
    *, slug: str, channel_id: int | None = None, now: datetime.datetime | None = None
) -> ProductPage:
    """One product a shopper may see, with its active variants at their effective prices.

    Raises :class:`NotFound` when no such product is on show (in the channel, now): not
    active, without an active variant, or not published there now.
    """
    on_show = {} if channel_id is None else {"channel": channel_id, "now": now or timezone.now()}
    product = _product_statement(channel_id is None).first(slug=slug, **on_show)
    variants = product_variants(product.pk, channel_id=channel_id) if product else []
    if product is None or not variants:
        raise NotFound(_("No such product is on sale here."), code="product_not_found")
    return ProductPage(
        product=product,
        active_variants=variants,
        tags=tags_of([product.pk]).get(product.pk, []),
        pictures=pictures_of([product.pk]).get(product.pk, []),
    )


def collection_list() -> QuerySet[Collection]:
    return Collection.objects.filter(is_active=True).order_by("position", "slug")


def collection_get(*, slug: str) -> Collection:
    collection = collection_list().filter(slug=slug).first()
    if collection is None:
        raise NotFound(_("No such collection."), code="collection_not_found")
    return collection

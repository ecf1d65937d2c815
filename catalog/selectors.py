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
from collections.abc import Iterator, Mapping
from typing import Any, overload

from django.db.models import (
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.filters import ProductFilter
from catalog.models import (
    Collection,
    Product,
    ProductImage,
    ProductListEntry,
    ProductVariant,
    Stock,
    Tag,
)
from catalog.offers import MONEY, free_units, price_in_channel, published_now, window_open
from catalog.search.filtering import RANK, SEARCH_COUNT_MAX
from shop.core.errors import InvalidInput, NotFound
from shop.core.i18n import ZH

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


def _thresholds(**lookups: Any) -> Coalesce:
    """The sum of the low-stock thresholds of the stock rows in active warehouses matching
    ``lookups``."""
    rows = (
        Stock.objects.filter(warehouse__is_active=True, **lookups)
        .order_by()
        .values(*lookups.keys())
        .annotate(total=Sum("low_stock_threshold"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _active_variants(channel_id: int | None) -> QuerySet[ProductVariant]:
    return (
        ProductVariant.objects.filter(is_active=True)
        .annotate(
            effective_price=price_in_channel(channel_id),
            quantity_available=free_units(variant=OuterRef("pk")),
            low_stock_threshold=_thresholds(variant=OuterRef("pk")),
        )
        .order_by("position", "id")
    )


def _pictures_shown() -> QuerySet[ProductImage]:
    """A product's pictures shoppers see, in order: those with a file (a row kept from
    before pictures were files has only an old address nobody vouches for)."""
    return ProductImage.objects.exclude(image="").order_by("position", "id")


def _priced_and_stocked(queryset: QuerySet[Product], channel_id: int | None) -> QuerySet[Product]:
    cheapest = (
        ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True)
        .annotate(effective_price=price_in_channel(channel_id))
        .order_by("effective_price")
        .values("effective_price")[:1]
    )
    active_variant_stock = {"variant__product": OuterRef("pk"), "variant__is_active": True}
    return queryset.annotate(
        price_from=Subquery(cheapest, output_field=MONEY),
        quantity_available=free_units(**active_variant_stock),
        low_stock_threshold=_thresholds(**active_variant_stock),
    )


def product_visible_queryset(
    *, channel_id: int | None = None, now: datetime.datetime | None = None
) -> QuerySet[Product]:
    """Active products with an active variant (and published in the channel, if given),
    annotated with ``price_from``, ``quantity_available`` and ``low_stock_threshold``."""
    now = now or timezone.now()
    queryset = Product.objects.filter(
        Exists(ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True)),
        is_active=True,
    )
    if channel_id is not None:
        queryset = queryset.filter(published_now(channel_id, now))
    return _priced_and_stocked(queryset, channel_id)


def _form_errors(errors: Mapping[str, Any]) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in errors.items()}


class ProductList:
    """The products a shopper may browse, in order: counted and cut into pages on their
    list entries, read with prices, stock, tags and images only a page at a time.

    Behaves as the sequence Django's paginator expects: ``count()``, ``len()``, slices
    (a list of products, in order) and iteration.
    """

    def __init__(
        self,
        *,
        entries: QuerySet[ProductListEntry],
        ordering: list[str],
        channel_id: int | None,
        did_you_mean: str | None = None,
        count_max: int | None = None,
        candidates: QuerySet[Any] | None = None,
    ) -> None:
        self.entries = entries
        self.ordering = ordering
        self.channel_id = channel_id
        # The corrected query whose products these are, when the shopper's found none.
        self.did_you_mean = did_you_mean
        # A search counts its products up to this many (None: every list entry counted).
        self.count_max = count_max
        self.count_capped = False
        self._count: int | None = None
        # A search by relevance: the product ids ranked first when it found more than it
        # counts (the others follow by slug), so a page never ranks every product found.
        self.candidates = candidates

    def count(self) -> int:
        """How many products the list holds; for a search at most ``count_max``, and
        ``count_capped`` then says there are more (its pages reach the first ones only)."""
        if self._count is None:
            if self.count_max is None:
                self._count = self.entries.count()
            else:
                # Counting stops at one past the cap: a word a tenth of the catalog holds
                # costs what a rare one does (the rank is not worked out for it).
                found = self.entries.order_by().values("pk")[: self.count_max + 1].count()
                self.count_capped = found > self.count_max
                self._count = min(found, self.count_max)
        return self._count

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Product: ...

    @overload
    def __getitem__(self, index: slice) -> list[Product]: ...

    def __getitem__(self, index: int | slice) -> Product | list[Product]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError("product list index out of range")
            return found[0]
        # The page's entries are picked in a subquery (the index alone), so the prices and
        # stock below are worked out for those products only, not for every row skipped
        # before them; the entry they were picked by orders them the same way.
        page = self.entries.values("pk")[index]
        products = _priced_and_stocked(Product.objects.all(), self.channel_id)
        if self.candidates is not None and self.count() and self.count_capped:
            return _in_entry_order(products, self._bounded_ids(index))
        if any(field.lstrip("-") not in ENTRY_FIELDS for field in self.ordering):
            order = list(self.entries.values_list("product_id", flat=True)[index])
            return _in_entry_order(products, order)
        return list(
            products.filter(list_entries__in=page)
            .select_related("collection")
            .prefetch_related(
                Prefetch("tags", queryset=Tag.objects.order_by("slug")),
                Prefetch("images", queryset=_pictures_shown()),
            )
            .order_by(*(_entry_field(field) for field in self.ordering))
        )

    def _bounded_ids(self, index: slice) -> list[int]:
        """The product ids of a page of a search that found more than it counts: its
        candidates ranked (at most a few hundred), then the other products it found by
        slug, read from the slug index only as deep as the page."""
        assert self.candidates is not None
        entries = self.entries.values_list("product_id", flat=True)
        ranked = list(entries.filter(product_id__in=self.candidates))
        start, stop = index.start or 0, index.stop
        ids = ranked[start:stop]
        if stop is None or stop > len(ranked):
            rest = entries.exclude(product_id__in=self.candidates).order_by("channel_id", "slug")
            end = None if stop is None else stop - len(ranked)
            ids += list(rest[max(start - len(ranked), 0) : end])
        return ids

    def __iter__(self) -> Iterator[Product]:
        return iter(self[:])


ENTRY_FIELDS = {field.attname for field in ProductListEntry._meta.concrete_fields}


def _in_entry_order(products: QuerySet[Product], order: list[int]) -> list[Product]:
    """The products of a page of entries ordered by an annotation (the search's relevance),
    in the entries' order (``order``: their product ids)."""
    found = (
        products.filter(pk__in=order)
        .select_related("collection")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("slug")),
            Prefetch("images", queryset=_pictures_shown()),
        )
    )
    by_id = {product.pk: product for product in found}
    return [by_id[pk] for pk in order if pk in by_id]


def _entry_field(field: str) -> str:
    """An entry field as seen from the product: ``-price_from`` -> ``-list_entries__price_from``."""
    if field.startswith("-"):
        return f"-list_entries__{field[1:]}"
    return f"list_entries__{field}"


def _entries_on_show(channel_id: int | None, now: datetime.datetime) -> QuerySet[ProductListEntry]:
    if channel_id is None:
        return ProductListEntry.objects.filter(channel__isnull=True)
    # The entries hold the windows of the published listings (catalog.list_entries).
    return ProductListEntry.objects.filter(window_open(now), channel_id=channel_id)


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
    entries = _entries_on_show(channel_id, now or timezone.now())
    filterset = ProductFilter(data=filters or {}, queryset=entries, lang=lang)
    if not filterset.is_valid():
        raise InvalidInput(fields=_form_errors(filterset.errors))
    entries = filterset.qs  # runs the filters, the search among them
    search = filterset.search
    ranked = f"-{RANK}" in filterset.ordering_fields
    return ProductList(
        entries=entries,
        ordering=filterset.ordering_fields,
        channel_id=channel_id,
        did_you_mean=search.did_you_mean if search is not None else None,
        count_max=SEARCH_COUNT_MAX if search is not None else None,
        candidates=search.candidates if search is not None and ranked else None,
    )


def product_get(
    *, slug: str, channel_id: int | None = None, now: datetime.datetime | None = None
) -> Product:
    """One product a shopper may see, with its active variants at their effective prices.

    Raises :class:`NotFound` when no such product is on show (in the channel, now).
    """
    queryset = (
        product_visible_queryset(channel_id=channel_id, now=now)
        .select_related("collection", "relic")
        .prefetch_related(
            Prefetch("variants", queryset=_active_variants(channel_id), to_attr="active_variants"),
            Prefetch("tags", queryset=Tag.objects.order_by("slug")),
            Prefetch("images", queryset=_pictures_shown()),
        )
    )
    product = queryset.filter(slug=slug).first()
    if product is None:
        raise NotFound(_("No such product is on sale here."), code="product_not_found")
    return product


def collection_list() -> QuerySet[Collection]:
    return Collection.objects.filter(is_active=True).order_by("position", "slug")


def collection_get(*, slug: str) -> Collection:
    collection = collection_list().filter(slug=slug).first()
    if collection is None:
        raise NotFound(_("No such collection."), code="collection_not_found")
    return collection

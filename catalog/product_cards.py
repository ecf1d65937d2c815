"""What a card of the public product list shows, read for one page as plain rows.

A page of the list is twenty cards: the product's slug, names, collection, tags, first
picture, lowest price and stock level. The list entries (:mod:`catalog.list_entries`)
already hold the slug and the names, so a page reads:

1. its entries, picked by the list's own index in a subquery (a deep page skips index
   entries only) and joined to their product and collection for what the entry lacks;
2. its products' active variants with their price in the channel, free units and
   low-stock thresholds (:func:`variants_shown`, the rules of :mod:`catalog.offers`, the
   same query the product page reads), summed per product here: prices and units
   change with every order and every repricing, so they are never taken from the entry;
3. the tags and 4. the pictures of its products.

Rows, not model instances: building twenty products, their prefetched tags and
pictures and their annotations' subqueries cost more than everything else the request
does. The reads 2 to 4 have the same shape on every page (the page's product ids, the
channel): they are kept statements (:mod:`shop.core.kept_statements`), built and
compiled once per connection instead of for every page, as the product page's are.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from catalog.images.models import ProductImage
from catalog.list_cursor import keyset_fields
from catalog.models import Product, ProductListEntry, ProductVariant, Stock
from catalog.offers import free_units, price_in_channel
from shop.core.kept_statements import ID_FIELD, KeptStatement, Slot, slots


@dataclass(frozen=True)
class Named:
    """A collection or tag as a card names it."""

    slug: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class CardPicture:
    """A product's first picture with a file, as stored."""

    name: str
    width: int
    height: int
    alt_zh: str
    alt_en: str


@dataclass
class ProductCard:
    """One product as the list shows it (the attributes the list's serializer reads)."""

    product_id: int
    slug: str
    name_zh: str
    name_en: str
    price_from: Decimal
    is_limited_edition: bool
    collection: Named | None
    tags: list[Named] = field(default_factory=list)
    picture: CardPicture | None = None
    quantity_available: int = 0
    low_stock_threshold: int = 0
    # The entry's values of the list's ordering (after the channel): its place in the
    # list, which a cursor names (catalog.list_cursor). Empty for a search's cards.
    sort_key: tuple[Any, ...] = ()


# What the card reads from its entry, its product and its collection, in this order.
_ENTRY_VALUES = (
    "product_id",
    "slug",
    "name_zh",
    "name_en",
    "price_from",
    "product__edition_size",
    "collection__slug",
    "collection__name_zh",
    "collection__name_en",
)


def _card(row: tuple, sort_key: tuple[Any, ...] = ()) -> ProductCard:
    product_id, slug, name_zh, name_en, price, edition_size, *collection = row
    return ProductCard(
        product_id=product_id,
        slug=slug,
        name_zh=name_zh,
        name_en=name_en,
        price_from=price,
        is_limited_edition=edition_size is not None,
        collection=Named(*collection) if collection[0] is not None else None,
        sort_key=sort_key,
    )


def cards_of_entries(
    entries: QuerySet[ProductListEntry, Any], ordering: list[str], *, channel_id: int | None
) -> list[ProductCard]:
    """The cards of a page of entries (``entries``: sliced, selecting their ``pk``), in
    ``ordering``, each with its ``sort_key``."""
    keys = [field.lstrip("-") for field in keyset_fields(ordering)]
    rows = (
        ProductListEntry.objects.filter(pk__in=entries)
        .order_by(*ordering)
        .values_list(*_ENTRY_VALUES, *keys)
    )
    width = len(_ENTRY_VALUES)
    return _completed([_card(row[:width], row[width:]) for row in rows], channel_id)


def entry_card_values(
    entries: QuerySet[ProductListEntry, Any], ordering: list[str]
) -> QuerySet[ProductListEntry, dict[str, Any]]:
    """What :func:`cards_of_entries` reads of a page of entries, as ``values()`` (for a kept
    statement: :mod:`catalog.list_kept`); :func:`cards_of_entry_values` makes the cards."""
    keys = [field.lstrip("-") for field in keyset_fields(ordering)]
    names = dict.fromkeys((*_ENTRY_VALUES, *keys))
    return ProductListEntry.objects.filter(pk__in=entries).order_by(*ordering).values(*names)


def cards_of_entry_values(
    rows: list[dict[str, Any]], ordering: list[str], *, channel_id: int | None
) -> list[ProductCard]:
    """The cards of rows read by :func:`entry_card_values`, in their order, each with its
    ``sort_key``."""
    keys = [field.lstrip("-") for field in keyset_fields(ordering)]
    cards = [
        _card(tuple(row[name] for name in _ENTRY_VALUES), tuple(row[key] for key in keys))
        for row in rows
    ]
    return _completed(cards, channel_id)


def _completed(cards: list[ProductCard], channel_id: int | None) -> list[ProductCard]:
    """The cards with their price, stock, tags and first picture. The price is the
    cheapest active variant's in the channel, worked out again here rather than read from
    the entry, so a card shows what the product page and the checkout ask."""
    if not cards:
        return cards
    by_id = {card.product_id: card for card in cards}
    ids = list(by_id)
    prices: dict[int, list[Decimal]] = {}
    for variant in variants_of(ids, channel_id=channel_id):
        product_id = variant["product_id"]
        card = by_id[product_id]
        prices.setdefault(product_id, []).append(variant["effective_price"])
        card.quantity_available += variant["quantity_available"]
        card.low_stock_threshold += variant["low_stock_threshold"]
    for product_id, tags in tags_of(ids).items():
        by_id[product_id].tags = tags
    for product_id, pictures in pictures_of(ids).items():
        by_id[product_id].picture = pictures[0]
    for card in cards:
        # An entry outlives its last active variant only until its writer runs.
        card.price_from = min(prices.get(card.product_id, [card.price_from]))
    return cards


# A page's products are read by a list of their ids of one of these lengths, the last id
# repeated up to it: each read is a statement kept per length (compiled once per
# connection, not built and compiled for every page), and a few lengths serve pages of
# 1 to 101 cards (a page by cursor reads one more than it shows) and a product page.
_ID_COUNTS = (1, 4, 10, 21, 50, 101)


def _padded(ids: list[int]) -> list[int]:
    """``ids`` (not empty) lengthened to the next of ``_ID_COUNTS`` by repeating the last."""
    count = next((count for count in _ID_COUNTS if count >= len(ids)), len(ids))
    return ids + [ids[-1]] * (count - len(ids))


def _channel_slot(channel_id: int | None) -> dict[str, int]:
    """The channel's slot value of a kept read, none when browsing without a channel."""
    return {} if channel_id is None else {"channel": channel_id}


_VARIANT_VALUES = ("product_id", "effective_price", "quantity_available", "low_stock_threshold")


def variants_of(product_ids: list[int], *, channel_id: int | None) -> list[dict[str, Any]]:
    """The active variants of these products in order (``_VARIANT_VALUES``: price in the
    channel, free units, low-stock thresholds), in one kept statement."""
    if not product_ids:
        return []
    padded = _padded(product_ids)
    statement = _variant_values_statement(channel_id is None, len(padded))
    return statement.rows(products=padded, **_channel_slot(channel_id))


def product_variants(product_id: int, *, channel_id: int | None) -> list[ProductVariant]:
    """The active variants of one product in order, as instances annotated as
    :func:`variants_shown` says, in one kept statement (the product page's)."""
    statement = _variant_instances_statement(channel_id is None)
    return statement.rows(products=[product_id], **_channel_slot(channel_id))


def tags_of(product_ids: list[int]) -> dict[int, list[Named]]:
    """The tags of these products by product id, by slug, in one kept statement."""
    tags: dict[int, list[Named]] = {}
    if not product_ids:
        return tags
    padded = _padded(product_ids)
    for row in _tags_statement(len(padded)).rows(products=padded):
        tag = Named(row["tag__slug"], row["tag__name_zh"], row["tag__name_en"])
        tags.setdefault(row["product_id"], []).append(tag)
    return tags


def pictures_of(product_ids: list[int]) -> dict[int, list[CardPicture]]:
    """The pictures shoppers see of these products by product id, in order, in one kept
    statement."""
    pictures: dict[int, list[CardPicture]] = {}
    if not product_ids:
        return pictures
    padded = _padded(product_ids)
    for row in _pictures_statement(len(padded)).rows(products=padded):
        picture = CardPicture(
            row["image"], row["width"], row["height"], row["alt_zh"], row["alt_en"]
        )
        pictures.setdefault(row["product_id"], []).append(picture)
    return pictures


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


def variants_shown(channel: Any) -> QuerySet[ProductVariant]:
    """The active variants in order with their price in ``channel`` (an id, a kept
    statement's slot, or None: list prices), free units and low-stock thresholds
    (``effective_price``, ``quantity_available``, ``low_stock_threshold``; the rules of
    :mod:`catalog.offers`)."""
    return (
        ProductVariant.objects.filter(is_active=True)
        .annotate(
            effective_price=price_in_channel(channel),
            quantity_available=free_units(variant=OuterRef("pk")),
            low_stock_threshold=_thresholds(variant=OuterRef("pk")),
        )
        .order_by("position", "id")
    )


def _of_products(queryset: QuerySet[Any, Any], count: int) -> QuerySet[Any, Any]:
    return queryset.filter(product__pk__in=slots("products", ID_FIELD, count))


def _variants_of_products(browsing: bool, count: int) -> QuerySet[ProductVariant]:
    channel = None if browsing else Slot("channel", ID_FIELD)
    return _of_products(variants_shown(channel), count)


@functools.lru_cache(maxsize=16)
def _variant_values_statement(browsing: bool, count: int) -> KeptStatement[dict[str, Any]]:
    return KeptStatement(_variants_of_products(browsing, count).values(*_VARIANT_VALUES))


@functools.lru_cache(maxsize=2)
def _variant_instances_statement(browsing: bool) -> KeptStatement[ProductVariant]:
    return KeptStatement(_variants_of_products(browsing, 1))


@functools.lru_cache(maxsize=16)
def _tags_statement(count: int) -> KeptStatement[dict[str, Any]]:
    tags = _of_products(Product.tags.through.objects.all(), count)
    return KeptStatement(
        tags.order_by("tag__slug").values("product_id", "tag__slug", "tag__name_zh", "tag__name_en")
    )


@functools.lru_cache(maxsize=16)
def _pictures_statement(count: int) -> KeptStatement[dict[str, Any]]:
    """The pictures shoppers see (those with a file), each product's first first."""
    pictures = _of_products(ProductImage.objects.exclude(image=""), count)
    return KeptStatement(
        pictures.order_by("product_id", "position", "id").values(
            "product_id", "image", "width", "height", "alt_zh", "alt_en"
        )
    )


def card_rows(entries: QuerySet[ProductListEntry, Any]) -> list[tuple]:
    """The rows a card is made of (:func:`cards_of_rows`), of ``entries`` as they come
    (ordered and cut by the caller): a search's page reads its ranked entries with what
    their cards show in one statement, rather than their ids and then their cards."""
    return list(entries.values_list(*_ENTRY_VALUES))


def cards_of_rows(rows: list[tuple], *, channel_id: int | None) -> list[ProductCard]:
    """The cards of rows read by :func:`card_rows`, in their order."""
    return _completed([_card(row) for row in rows], channel_id)

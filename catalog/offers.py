"""What is on sale now in a channel, at what price, with how many free units: the one
definition the product list, the product page, the cart and the checkout all use, so a
shopper is never shown a price, or an item on sale, that the checkout then disagrees with.

The three rules, each written once here as an ORM expression:

- **Published now** (:func:`published_now`): the product has a published listing in the
  channel whose window is open (``available_from`` past or unset, ``available_until``
  still ahead or unset). Without a channel (catalog browsing) every product is.
- **The channel's price, else the list price** (:func:`price_in_channel`).
- **Free units over active warehouses** (:func:`free_units`): on hand minus reserved,
  summed over the variant's stock rows in warehouses that are open.

A product's list entry is on show (:func:`entry_on_show`) in its channel with the same
window: what the product list, a search's candidates and autocomplete read.

A variant is *on sale* when it and its product are active and the product is published
now. :func:`offers_get` answers all of it for a set of variants as :class:`Offer` values
in one query; :func:`offers_annotate` adds the same facts to a variant queryset for a
caller that reads more with them (its own columns, a cart's units) in that one query.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    DateTimeField,
    DecimalField,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from catalog.models import (
    ProductChannelListing,
    ProductListEntry,
    ProductVariant,
    Stock,
    VariantChannelPrice,
)
from shop.core.money import quantize

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)
_MOMENT: DateTimeField[datetime.datetime, datetime.datetime] = DateTimeField()

# The annotations offers_annotate adds, read back by offer_of.
_LISTED = "offer_listed"
_PRICE = "offer_price"
_FREE = "offer_free_units"


def _money(amount: Decimal) -> Decimal:
    # SQLite answers a computed amount without its two places (128, not 128.00).
    return quantize(amount)


@dataclass(frozen=True)
class Offer:
    """A variant as a channel sells it at one moment."""

    variant_id: int
    active: bool  # the variant and its product are active
    listed: bool  # its product is published in the channel now
    price: Decimal  # the channel's own price, else the list price
    free_units: int  # on hand minus reserved over the active warehouses

    @property
    def on_sale(self) -> bool:
        return self.active and self.listed


def window_open(now: datetime.datetime, *, prefix: str = "") -> Q:
    """A listing's (or list entry's) window is open at ``now``; ``prefix`` reaches the
    window's fields through a relation (``"listing__"``)."""
    opened = Q(**{f"{prefix}available_from__isnull": True}) | Q(
        **{f"{prefix}available_from__lte": now}
    )
    not_closed = Q(**{f"{prefix}available_until__isnull": True}) | Q(
        **{f"{prefix}available_until__gt": now}
    )
    return opened & not_closed


def entry_on_show(channel: Any, now: Any) -> Q:
    """A product list entry is on show in ``channel`` at ``now``: the channel's entry
    with its window open (:func:`window_open`, the published listing's window that
    :mod:`catalog.list_entries` copies), or, with ``channel`` None, the entry of browsing
    without a channel. ``channel`` and ``now`` may be expressions (a kept statement's
    slots)."""
    if channel is None:
        return Q(channel__isnull=True)
    return Q(channel=channel) & window_open(now)


def entries_on_show(channel: Any, now: Any) -> QuerySet[ProductListEntry]:
    """The product list entries on show in ``channel`` at ``now`` (:func:`entry_on_show`):
    what the product list, a search's candidates and autocomplete read."""
    return ProductListEntry.objects.filter(entry_on_show(channel, now))


def published_now(channel: Any, now: Any, *, product: str = "pk") -> Exists:
    """The product (the outer query's field ``product``, by default its primary key) has a
    published listing in ``channel`` that is open at ``now`` (a moment, or an expression
    of the outer query naming one)."""
    listings = ProductChannelListing.objects.filter(
        window_open(now),
        product=OuterRef(product),
        channel=channel,
        is_published=True,
    )
    return Exists(listings)


def price_in_channel(channel: Any, *, variant: str = "pk") -> Any:
    """The channel's own price of the variant (the outer query's field ``variant``, its
    list price beside it), else its list price; the list price without a channel."""
    list_price = "price" if variant == "pk" else f"{variant.removesuffix('_id')}__price"
    if channel is None:
        return F(list_price)
    own = VariantChannelPrice.objects.filter(variant=OuterRef(variant), channel=channel).values(
        "price"
    )[:1]
    return Coalesce(Subquery(own, output_field=MONEY), F(list_price))


def price_chosen(own_price: Decimal | None, list_price: Decimal) -> Decimal:
    """:func:`price_in_channel` for a variant already read with the channel's own price
    of it beside its list price (a cart's lines are read so, in one statement)."""
    return own_price if own_price is not None else list_price


def prices_get(variant_ids: Iterable[int], *, channel_id: int | None) -> dict[int, Decimal]:
    """The price in the channel of each of these variants by id, in one query."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = (
        ProductVariant.objects.filter(pk__in=ids)
        .annotate(**{_PRICE: price_in_channel(channel_id)})
        .values_list("pk", _PRICE)
    )
    return {variant_id: _money(price) for variant_id, price in rows}


def free_stock(**lookups: Any) -> QuerySet[Stock]:
    """The stock rows with free units (more on hand than reserved) in open warehouses."""
    return Stock.objects.filter(
        warehouse__is_active=True, quantity__gt=F("quantity_reserved"), **lookups
    )


def free_units(**lookups: Any) -> Coalesce:
    """The free units over the stock rows ``lookups`` name (``variant=OuterRef("pk")``
    for a variant, ``variant__product=...`` for a product's), in open warehouses."""
    rows = (
        free_stock(**lookups)
        .order_by()
        .values(*lookups.keys())
        .annotate(total=Sum(F("quantity") - F("quantity_reserved")))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


# The moment an offer is read at, an alias of the variants' query (not selected) that
# the subqueries of offers_annotate compare with: they name no moment themselves, so they
# are built once per channel and process, and each query resolves its own copy of them.
OFFER_NOW = "offer_now"


@functools.cache
def _variant_free_units() -> Coalesce:
    return free_units(variant=OuterRef("pk"))


@functools.lru_cache(maxsize=256)
def _variant_offer_lasting(channel_id: int | None) -> dict[str, Any]:
    """The annotations of a variant's offer in the channel that name no moment: its price
    there and its free units."""
    return {_PRICE: price_in_channel(channel_id), _FREE: _variant_free_units()}


@functools.lru_cache(maxsize=256)
def _variant_offer_now(channel_id: int | None) -> dict[str, Any]:
    """The annotation of a variant's offer in the channel that compares with the outer
    query's ``OFFER_NOW``: whether its product is published there then."""
    listed: Any = (
        Value(True)
        if channel_id is None
        else published_now(channel_id, OuterRef(OFFER_NOW), product="product_id")
    )
    return {_LISTED: listed}


def offers_base(
    variants: QuerySet[ProductVariant], *, channel_id: int | None
) -> QuerySet[ProductVariant]:
    """``variants`` with the part of their offer in the channel that does not depend on
    the moment (its price and free units): a caller may build this once per channel and
    pass a filtered copy of it to :func:`offers_at` on every read."""
    return variants.annotate(**_variant_offer_lasting(channel_id))


def offers_at(
    based: QuerySet[ProductVariant],
    *,
    channel_id: int | None,
    now: datetime.datetime | Expression,
    **more: Any,
) -> QuerySet[ProductVariant]:
    """Variants read through :func:`offers_base` with the rest of their offer in the
    channel at ``now`` (read it with :func:`offer_of`) and the caller's ``more``
    annotations, which may compare with the moment as ``OuterRef(OFFER_NOW)``. ``now``
    is a moment, or an expression giving one (a kept statement's slot, so that the
    query can be built and compiled once and read at each call's moment)."""
    moment = now if isinstance(now, Expression) else Value(now, output_field=_MOMENT)
    return based.alias(**{OFFER_NOW: moment}).annotate(**_variant_offer_now(channel_id), **more)


def offers_annotate(
    variants: QuerySet[ProductVariant],
    *,
    channel_id: int | None,
    now: datetime.datetime,
    **more: Any,
) -> QuerySet[ProductVariant]:
    """``variants`` with their offer in the channel at ``now`` (read it with
    :func:`offer_of`) and the caller's ``more`` annotations, which may compare with the
    moment as ``OuterRef(OFFER_NOW)``."""
    return offers_at(
        offers_base(variants, channel_id=channel_id), channel_id=channel_id, now=now, **more
    )


def offer_of(row: Any) -> Offer:
    """The offer of a variant read through :func:`offers_annotate` (an instance or a
    ``values()`` dictionary with ``id``, ``is_active`` and ``product__is_active``)."""
    if isinstance(row, dict):
        return Offer(
            variant_id=row["id"],
            active=bool(row["is_active"] and row["product__is_active"]),
            listed=bool(row[_LISTED]),
            price=_money(row[_PRICE]),
            free_units=int(row[_FREE]),
        )
    return Offer(
        variant_id=row.pk,
        active=bool(row.is_active and row.product.is_active),
        listed=bool(getattr(row, _LISTED)),
        price=_money(getattr(row, _PRICE)),
        free_units=int(getattr(row, _FREE)),
    )


OFFER_VALUES = ("id", "is_active", "product__is_active", _LISTED, _PRICE, _FREE)


def offers_get(
    variant_ids: Iterable[int], *, channel_id: int | None, now: datetime.datetime
) -> dict[int, Offer]:
    """The offer of each of these variants by id, in one query; a variant that does not
    exist is missing from the answer."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = offers_annotate(
        ProductVariant.objects.filter(pk__in=ids), channel_id=channel_id, now=now
    ).values(*OFFER_VALUES)
    return {row["id"]: offer_of(row) for row in rows}

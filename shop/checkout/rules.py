"""The rules a line must pass to be bought: in the channel, in its drop window, within the
customer's limit, personalised correctly, and in stock. Used when adding to a cart and
again, under lock, when the order is placed."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils.translation import gettext as _

from catalog.errors import InsufficientStock, SoldOut
from catalog.models import (
    PersonalisationCharset,
    Product,
    ProductVariant,
)
from catalog.offers import (
    OFFER_NOW,
    OFFER_VALUES,
    Offer,
    offer_of,
    offers_annotate,
    offers_at,
    offers_base,
)
from shop.carts.models import CartLine
from shop.channels.models import LivestreamDrop, SalesChannel
from shop.checkout.errors import (
    DropNotOpen,
    LimitExceeded,
    NotAvailable,
    NotAvailableInChannel,
    PersonalisationInvalid,
)
from shop.checkout.queries import customer_checkouts_lock
from shop.core.kept_statements import KeptStatement, Slot, slots
from shop.orders.models import OrderLine
from shop.orders.state import ACTIVE_STATUSES

# What no rule reads of a product: its long texts, its search forms, its labels, its dates.
_PRODUCT_UNREAD = (
    "description_zh",
    "description_en",
    "search_text",
    "search_name",
    "search_related",
    "personalisation_label_zh",
    "personalisation_label_en",
    "created_at",
    "updated_at",
    "relic",
    "edition_size",
)
# Nor of a variant: its options, weight, position and dates (its names, SKU, list price
# and whether it is active are read).
_VARIANT_UNREAD = ("options", "weight_grams", "position", "created_at", "updated_at")
# How a kept statement prepares a SKU and a moment for the database.
_SKU_FIELD: CharField[str, str] = CharField()
_MOMENT_FIELD: DateTimeField[datetime, datetime] = DateTimeField()
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CHARSETS = {
    PersonalisationCharset.HAN: re.compile(rf"^[{_HAN}]+$"),
    PersonalisationCharset.LATIN: re.compile(r"^[A-Za-z0-9 .'\-]+$"),
    PersonalisationCharset.HAN_LATIN: re.compile(rf"^[{_HAN}A-Za-z0-9 .'\-]+$"),
}


@dataclass(frozen=True)
class VariantFacts:
    """What the rules need to know of a variant in a channel at one moment: its offer
    there (:mod:`catalog.offers`, the rules the product list and page show) and the
    channel's drops of it."""

    offer: Offer
    in_drop: bool  # it is sold in a drop of the channel
    drop_open: bool  # one of those drops is open now

    @property
    def listed(self) -> bool:
        """Its product is published in the channel now."""
        return self.offer.listed

    @property
    def free(self) -> int:
        return self.offer.free_units

    @property
    def price(self) -> Decimal:
        return self.offer.price


@dataclass(frozen=True)
class CartVariantFacts(VariantFacts):
    """A variant's facts with what a cart holds of it."""

    sku: str
    in_cart: int  # units of it over the cart's lines


_FACT_VALUES = (*OFFER_VALUES, "drop_now")


@functools.lru_cache(maxsize=256)
def _drop_now(channel_id: int) -> Subquery:
    """None without a drop of the channel selling the variant, else whether one of them is
    open at the offer's moment (the open one first): one subquery for both, built once
    per channel."""
    moment = OuterRef(OFFER_NOW)
    open_now = ExpressionWrapper(Q(starts_at__lte=moment, ends_at__gt=moment), BooleanField())
    drops = (
        LivestreamDrop.objects.filter(variants=OuterRef("pk"), channel_id=channel_id)
        .annotate(open_now=open_now)
        .order_by("-open_now")
        .values("open_now")[:1]
    )
    return Subquery(drops, output_field=BooleanField())


def _with_facts(
    variants: QuerySet[ProductVariant], channel: SalesChannel, now: datetime, **more: Any
) -> QuerySet[ProductVariant]:
    """``variants`` with their offers in the channel at ``now``, its drops of them
    (``drop_now``) and ``more`` annotations, in no particular order (one annotate)."""
    return offers_annotate(
        variants.order_by(), channel_id=channel.pk, now=now, drop_now=_drop_now(channel.pk), **more
    )


def _facts(row: Any) -> dict[str, Any]:
    """The facts of a variant read through ``_with_facts`` (an instance or its values)."""
    drop_now = row["drop_now"] if isinstance(row, dict) else row.drop_now
    return {"offer": offer_of(row), "in_drop": drop_now is not None, "drop_open": bool(drop_now)}


def variant_facts(
    variant_ids: Iterable[int], channel: SalesChannel, now: datetime
) -> dict[int, VariantFacts]:
    """The facts of each variant by id, in one query for all of them: whether it is on
    sale in the channel now, its free units and its price there. A variant that does not
    exist is missing from the answer."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = _with_facts(ProductVariant.objects.filter(pk__in=ids), channel, now)
    return {row["id"]: VariantFacts(**_facts(row)) for row in rows.values(*_FACT_VALUES)}


@functools.lru_cache(maxsize=256)
def _variants_with_products(channel_id: int) -> QuerySet[ProductVariant]:
    """Variants with their products, less what no rule, cart line or order line reads,
    with the part of their offer in the channel that names no moment
    (:func:`catalog.offers.offers_base`): built once per channel and process, each call
    filters a copy (the copy is evaluated, never this one)."""
    variants = (
        ProductVariant.objects.select_related("product")
        .defer(*_VARIANT_UNREAD, *(f"product__{name}" for name in _PRODUCT_UNREAD))
        .order_by()
    )
    return offers_base(variants, channel_id=channel_id)


@functools.lru_cache(maxsize=512)
def _variants_with_facts_statement(channel_id: int, count: int) -> KeptStatement[ProductVariant]:
    """The statement of ``variants_with_facts`` for ``count`` SKUs in the channel, kept
    compiled (shop/core/kept_statements.py): the SKUs and the moment are its slots, so
    the four subqueries of the facts are built and compiled once per channel, count and
    connection, not on every order."""
    variants = offers_at(
        _variants_with_products(channel_id).filter(sku__in=slots("sku", _SKU_FIELD, count)),
        channel_id=channel_id,
        now=Slot("now", _MOMENT_FIELD),
        drop_now=_drop_now(channel_id),
    )
    return KeptStatement(variants)


def variants_with_facts(
    skus: Iterable[str], channel: SalesChannel, now: datetime
) -> dict[str, tuple[ProductVariant, VariantFacts]]:
    """The variants with these SKUs, with their products and their ``variant_facts``, by
    SKU, in one query; an unknown SKU is missing from the answer."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    statement = _variants_with_facts_statement(channel.pk, len(wanted))
    variants = statement.rows(sku=wanted, now=now)
    return {variant.sku: (variant, VariantFacts(**_facts(variant))) for variant in variants}


def cart_variant_facts(
    cart_id: int, channel: SalesChannel, now: datetime
) -> dict[int, CartVariantFacts]:
    """``variant_facts`` of every variant in a cart, found by the cart's id (no need to
    read its lines first), each with its SKU and the units the cart holds of it."""
    lines = CartLine.objects.filter(cart_id=cart_id)
    in_cart = (
        lines.filter(variant=OuterRef("pk"))
        .order_by()
        .values("variant")
        .annotate(units=Sum("quantity"))
        .values("units")
    )
    variants = ProductVariant.objects.filter(pk__in=lines.values("variant_id"))
    units = Subquery(in_cart, output_field=IntegerField())
    rows = _with_facts(variants, channel, now, in_cart=units).values(
        *_FACT_VALUES, "sku", "in_cart"
    )
    return {
        row["id"]: CartVariantFacts(**_facts(row), sku=row["sku"], in_cart=int(row["in_cart"] or 0))
        for row in rows
    }


def variant_facts_raise(variant: ProductVariant, facts: dict[int, VariantFacts]) -> None:
    """Raise unless the variant is active and, by ``facts``, on sale in the channel now."""
    if not (variant.is_active and variant.product.is_active):
        raise NotAvailable()
    known = facts.get(variant.pk)
    if known is None or not known.listed:
        raise NotAvailableInChannel()
    if known.in_drop and not known.drop_open:
        raise DropNotOpen()


def stock_enough_check(facts: VariantFacts | None, wanted: int) -> None:
    """Raise SoldOut or InsufficientStock unless ``wanted`` units are free."""
    available = facts.free if facts is not None else 0
    if available <= 0:
        raise SoldOut()
    if available < wanted:
        raise InsufficientStock(
            _("Not enough units are left for this quantity."),
            fields={"quantity": [_("Not enough units are left.")]},
        )


def personalisation_check(product: Product, text: str) -> str:
    """Return the cleaned text; raise when the product does not take it or it breaks the rules."""
    text = " ".join(text.split())
    if not text:
        return ""
    if not product.personalisation_enabled:
        raise PersonalisationInvalid(
            _("This product does not take a personalisation."),
            fields={"personalisation": [_("Not accepted for this product.")]},
        )
    max_length = product.personalisation_max_length or 0
    if len(text) > max_length:
        too_long = _("At most %(count)s characters.") % {"count": max_length}
        raise PersonalisationInvalid(too_long, fields={"personalisation": [too_long]})
    pattern = _CHARSETS.get(product.personalisation_charset)  # type: ignore[call-overload]
    if pattern is None or not pattern.match(text):
        label = PersonalisationCharset(product.personalisation_charset).label
        raise PersonalisationInvalid(
            _("Only these characters are allowed: %(charset)s.") % {"charset": label},
            fields={"personalisation": [_("Allowed: %(charset)s.") % {"charset": label}]},
        )
    return text


def customer_units_bought(product_id: int, *, user_id: int | None, email: str) -> int:
    """Units of a product in the customer's orders that are paid or awaiting payment."""
    who = Q()
    if user_id:
        who |= Q(order__user_id=user_id)
    if email:
        who |= Q(order__email__iexact=email)
    if not who:
        return 0
    total = (
        OrderLine.objects.filter(who, product_id=product_id, order__status__in=ACTIVE_STATUSES)
        .aggregate(units=Sum("quantity"))
        .get("units")
    )
    return int(total or 0)


def purchase_limit_check(product: Product, wanted: int, *, user_id: int | None, email: str) -> None:
    """``wanted`` is every unit of the product the customer is about to buy now."""
    if product.purchase_limit is None:
        return
    bought = customer_units_bought(product.pk, user_id=user_id, email=email)
    if bought + wanted > product.purchase_limit:
        left = max(product.purchase_limit - bought, 0)
        raise LimitExceeded(
            _("One customer may buy at most %(limit)s of this item (%(left)s more for you).")
            % {"limit": product.purchase_limit, "left": left},
            fields={"quantity": [_("At most %(left)s more.") % {"left": left}]},
            limit=product.purchase_limit,
        )


def customer_lock(email: str, user_id: int | None) -> None:
    """Serialise checkouts of one customer so two tabs cannot both pass a purchase limit."""
    customer_checkouts_lock(f"user:{user_id}" if user_id else f"email:{email.lower()}")

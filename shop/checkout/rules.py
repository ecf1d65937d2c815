"""The rules a line must pass to be bought: in the channel, in its drop window, within the
customer's limit, personalised correctly, and in stock. Used when adding to a cart and
again, under lock, when the order is placed."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from catalog.errors import InsufficientStock, SoldOut
from catalog.models import (
    PersonalisationCharset,
    Product,
    ProductChannelListing,
    ProductVariant,
    Stock,
    VariantChannelPrice,
)
from shop.carts.models import CartLine
from shop.carts.selectors import PRODUCT_COLUMNS, VARIANT_COLUMNS
from shop.channels.models import LivestreamDrop, SalesChannel
from shop.checkout.errors import (
    DropNotOpen,
    LimitExceeded,
    NotAvailable,
    NotAvailableInChannel,
    PersonalisationInvalid,
)
from shop.core import sql
from shop.orders.models import OrderLine
from shop.orders.state import ACTIVE_STATUSES

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CHARSETS = {
    PersonalisationCharset.HAN: re.compile(rf"^[{_HAN}]+$"),
    PersonalisationCharset.LATIN: re.compile(r"^[A-Za-z0-9 .'\-]+$"),
    PersonalisationCharset.HAN_LATIN: re.compile(rf"^[{_HAN}A-Za-z0-9 .'\-]+$"),
}


@dataclass(frozen=True)
class VariantFacts:
    """What the rules need to know of a variant in a channel at one moment."""

    listed: bool  # its product is listed and on sale in the channel now
    in_drop: bool  # it is sold in a drop of the channel
    drop_open: bool  # one of those drops is open now
    free: int  # free units over the active warehouses
    price: Decimal  # the channel's own price, else the list price


@dataclass(frozen=True)
class CartVariantFacts(VariantFacts):
    """A variant's facts with what a cart holds of it."""

    sku: str
    in_cart: int  # units of it over the cart's lines


# Table names come from the models, values are parameters.
@functools.lru_cache(maxsize=64)
def _variant_facts_sql(count: int, *, of_cart: bool = False, by_sku: bool = False) -> str:
    """The facts of ``count`` variants named by parameters v0, v1, ... (their ids, or
    with ``by_sku`` their SKUs, then with the variants' and products' own columns), or
    (``of_cart``) of every variant in the cart named by the parameter ``cart``."""
    listing = ProductChannelListing._meta.db_table
    drop = LivestreamDrop._meta.db_table
    drop_variants = LivestreamDrop.variants.through._meta.db_table
    stock = Stock._meta.db_table
    warehouse = Stock._meta.get_field("warehouse").related_model._meta.db_table  # type: ignore[union-attr]
    channel_price = VariantChannelPrice._meta.db_table
    variant = ProductVariant._meta.db_table
    cart_line = CartLine._meta.db_table
    in_drop = (
        f"SELECT 1 FROM {drop_variants} dv JOIN {drop} d ON d.id = dv.livestreamdrop_id"  # noqa: S608
        " WHERE dv.productvariant_id = v.id AND d.channel_id = %(channel)s"
    )
    if of_cart:
        which = f"v.id IN (SELECT variant_id FROM {cart_line} WHERE cart_id = %(cart)s)"  # noqa: S608
        cart_columns = (
            f", v.sku, (SELECT SUM(quantity) FROM {cart_line}"  # noqa: S608
            " WHERE cart_id = %(cart)s AND variant_id = v.id)"
        )
    else:
        key = "v.sku" if by_sku else "v.id"
        which = f"{key} IN ({', '.join(f'%(v{n})s' for n in range(count))})"
        cart_columns = ""
    joins = ""
    if by_sku:
        cart_columns = f", {VARIANT_COLUMNS.sql('v')}, {PRODUCT_COLUMNS.sql('pr')}"
        joins = f" JOIN {Product._meta.db_table} pr ON pr.id = v.product_id"
    return (
        "SELECT v.id, v.price,"  # noqa: S608
        f" EXISTS (SELECT 1 FROM {listing} l WHERE l.product_id = v.product_id"
        " AND l.channel_id = %(channel)s AND l.is_published"
        " AND (l.available_from IS NULL OR l.available_from <= %(now)s)"
        " AND (l.available_until IS NULL OR l.available_until > %(now)s)),"
        f" EXISTS ({in_drop}),"
        f" EXISTS ({in_drop} AND d.starts_at <= %(now)s AND d.ends_at > %(now)s),"
        " COALESCE((SELECT SUM(s.quantity - s.quantity_reserved)"
        f" FROM {stock} s JOIN {warehouse} w ON w.id = s.warehouse_id"
        " WHERE s.variant_id = v.id AND w.is_active AND s.quantity > s.quantity_reserved), 0),"
        f" (SELECT p.price FROM {channel_price} p"
        f" WHERE p.variant_id = v.id AND p.channel_id = %(channel)s){cart_columns}"
        f" FROM {variant} v{joins} WHERE {which}"
    )


def _facts_rows(text: str, params: dict[str, Any], channel: SalesChannel, now: datetime) -> list:
    params.update(channel=channel.pk, now=connection.ops.adapt_datetimefield_value(now))
    return sql.rows(text, params)


def _facts(row: Sequence[Any]) -> dict[str, Any]:
    list_price, listed, in_drop, drop_open, free_units, own_price = row[1:7]
    return {
        "listed": bool(listed),
        "in_drop": bool(in_drop),
        "drop_open": bool(drop_open),
        "free": int(free_units),
        "price": sql.money(own_price if own_price is not None else list_price),
    }


def variant_facts(
    variant_ids: Iterable[int], channel: SalesChannel, now: datetime
) -> dict[int, VariantFacts]:
    """The facts of each variant by id, in one query for all of them: whether it is on
    sale in the channel now, its free units and its price there. A variant that does not
    exist is missing from the answer.

    Written in SQL: it runs for every line added to a cart and every order placed, and
    building it with the ORM cost several times what PostgreSQL takes to answer it."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    params: dict[str, Any] = {f"v{n}": pk for n, pk in enumerate(ids)}
    rows = _facts_rows(_variant_facts_sql(len(ids)), params, channel, now)
    return {row[0]: VariantFacts(**_facts(row)) for row in rows}


def variants_with_facts(
    skus: Iterable[str], channel: SalesChannel, now: datetime
) -> dict[str, tuple[ProductVariant, VariantFacts]]:
    """The variants with these SKUs, with their products and their ``variant_facts``, by
    SKU, in one query; an unknown SKU is missing from the answer."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    params: dict[str, Any] = {f"v{n}": sku for n, sku in enumerate(wanted)}
    rows = _facts_rows(_variant_facts_sql(len(wanted), by_sku=True), params, channel, now)
    found = {}
    product_at = 7 + len(VARIANT_COLUMNS)
    for row in rows:
        variant: ProductVariant = VARIANT_COLUMNS.build(row[7:product_at])
        variant.product = PRODUCT_COLUMNS.build(row[product_at:])
        found[variant.sku] = (variant, VariantFacts(**_facts(row)))
    return found


def cart_variant_facts(
    cart_id: int, channel: SalesChannel, now: datetime
) -> dict[int, CartVariantFacts]:
    """``variant_facts`` of every variant in a cart, found by the cart's id (no need to
    read its lines first), each with its SKU and the units the cart holds of it."""
    text = _variant_facts_sql(0, of_cart=True)
    rows = _facts_rows(text, {"cart": cart_id}, channel, now)
    return {
        row[0]: CartVariantFacts(**_facts(row), sku=row[7], in_cart=int(row[8] or 0))
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
    if connection.vendor != "postgresql":
        return  # SQLite runs one writer at a time anyway
    key = f"user:{user_id}" if user_id else f"email:{email.lower()}"
    with sql.statement_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])

"""Reading carts the way their shopper may see them.

A cart is read with its shipping method, voucher and lines (each with its variant, its
product and the channel's price of it) in one hand-written statement: every request of
a checkout reads its cart, and building that join with the ORM cost several times what
PostgreSQL takes to answer it (shop/core/sql.py).
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, cast

from django.db.models import Model, QuerySet

from catalog.models import Product, ProductVariant, VariantChannelPrice
from catalog.offers import price_chosen
from shop.carts.errors import CartNotFound
from shop.carts.models import Cart, CartLine
from shop.channels.models import SalesChannel
from shop.core import sql
from shop.core.db import related_cache_set

# Long texts of a product that no cart answer or rule reads.
_UNREADPRODUCT_COLUMNS_TEXTS = ("description_zh", "description_en", "search_text")


def _all_fields(model: type[Model], *but: str) -> sql.Columns:
    return sql.Columns(
        model, *(field.name for field in model._meta.concrete_fields if field.name not in but)
    )


_CART = _all_fields(Cart)
# The checkout's models (above the carts), as the cart's foreign keys name them.
ShippingMethod = cast(type[Model], Cart._meta.get_field("shipping_method").related_model)
Voucher = cast(type[Model], Cart._meta.get_field("voucher").related_model)
_METHOD = _all_fields(ShippingMethod)
_VOUCHER = _all_fields(Voucher)
_LINE = _all_fields(CartLine)
# A variant and its product as carts read them (without the texts no cart reads).
VARIANT_COLUMNS = _all_fields(ProductVariant)
PRODUCT_COLUMNS = _all_fields(Product, *_UNREADPRODUCT_COLUMNS_TEXTS)


@functools.lru_cache(maxsize=16)
def _cart_sql(*, by_token: bool, checkout: bool, lines: bool, lock: str) -> str:
    """The statement that reads a cart (by token and channel, or by id), with what is
    asked: its shipping method and voucher, its lines; ``lock`` locks the cart's row."""
    columns = [_CART.sql("c")]
    joins = []
    if checkout:
        columns += [_METHOD.sql("sm"), _VOUCHER.sql("vo")]
        joins += [
            f"LEFT JOIN {sql.table(ShippingMethod)} sm ON sm.id = c.shipping_method_id",
            f"LEFT JOIN {sql.table(Voucher)} vo ON vo.id = c.voucher_id",
        ]
    if lines:
        columns += [
            _LINE.sql("l"),
            VARIANT_COLUMNS.sql("v"),
            PRODUCT_COLUMNS.sql("p"),
            f"(SELECT cp.price FROM {sql.table(VariantChannelPrice)} cp"  # noqa: S608
            " WHERE cp.variant_id = v.id AND cp.channel_id = c.channel_id)",
        ]
        joins += [
            f"LEFT JOIN {sql.table(CartLine)} l ON l.cart_id = c.id",
            f"LEFT JOIN {sql.table(ProductVariant)} v ON v.id = l.variant_id",
            f"LEFT JOIN {sql.table(Product)} p ON p.id = v.product_id",
        ]
    where = "c.token = %(token)s AND c.channel_id = %(channel)s" if by_token else "c.id = %(id)s"
    statement = f"SELECT {', '.join(columns)} FROM {sql.table(Cart)} c {' '.join(joins)}"  # noqa: S608
    return f"{statement} WHERE {where}{' ORDER BY l.id' if lines else ''}{lock}"


def _cart_read(
    params: dict[str, Any], *, checkout: bool, lines: bool, lock: bool = False
) -> Cart | None:
    statement = _cart_sql(
        by_token="token" in params,
        checkout=checkout,
        lines=lines,
        lock=sql.lock(of="c") if lock else "",
    )
    found = sql.rows(statement, params)
    if not found:
        return None
    first = found[0]
    cart: Cart = _CART.build(first[: len(_CART)])
    at = len(_CART)
    if checkout:
        method = first[at : at + len(_METHOD)]
        at += len(_METHOD)
        voucher = first[at : at + len(_VOUCHER)]
        at += len(_VOUCHER)
        Cart.shipping_method.field.set_cached_value(  # type: ignore[attr-defined]
            cart, _METHOD.build(method) if method[0] is not None else None
        )
        Cart.voucher.field.set_cached_value(  # type: ignore[attr-defined]
            cart, _VOUCHER.build(voucher) if voucher[0] is not None else None
        )
    if lines:
        _lines_set(cart, [found_row[at:] for found_row in found])
    return cart


def _lines_set(cart: Cart, found: list[tuple[Any, ...]]) -> None:
    """Make the lines of these rows (line, variant, product, channel price) the cart's."""
    lines = []
    variant_at = len(_LINE)
    product_at = variant_at + len(VARIANT_COLUMNS)
    price_at = product_at + len(PRODUCT_COLUMNS)
    for values in found:
        if values[0] is None:  # a cart without lines
            continue
        line: CartLine = _LINE.build(values[:variant_at])
        variant: ProductVariant = VARIANT_COLUMNS.build(values[variant_at:product_at])
        variant.product = PRODUCT_COLUMNS.build(values[product_at:price_at])
        line.variant = variant
        line.cart = cart
        price = values[price_at]
        line.channel_price = None if price is None else sql.money(price)  # type: ignore[attr-defined]
        lines.append(line)
    related_cache_set(cart, "lines", lines)


def cart_lines_queryset() -> QuerySet[CartLine]:
    """A cart's lines with their variants and products, oldest first (for the paths
    that change one line and read it back with the ORM)."""
    return (
        CartLine.objects.select_related("variant__product")
        .defer(*(f"variant__product__{name}" for name in _UNREADPRODUCT_COLUMNS_TEXTS))
        .order_by("id")
    )


def cart_line_prices(lines: list[CartLine]) -> dict[int, Decimal] | None:
    """The price in the channel of each line's variant (:mod:`catalog.offers`), when the
    lines were read with the channel's own prices."""
    if not all(hasattr(line, "channel_price") for line in lines):
        return None
    return {
        line.variant_id: price_chosen(getattr(line, "channel_price"), line.variant.price)  # noqa: B009 (read with the line)
        for line in lines
    }


def cart_get(
    *,
    token: Any,
    channel: SalesChannel,
    user: Any,
    with_lines: bool = True,
    with_checkout: bool = True,
) -> Cart:
    """The cart, if it belongs to the channel and (when it has one) to the user, with the
    channel given; with its shipping method and voucher unless ``with_checkout`` is false,
    and its lines unless ``with_lines`` is false (callers that read them under a lock)."""
    params: dict[str, Any] = {
        "token": sql.value(Cart._meta.get_field("token"), token),
        "channel": channel.pk,
    }
    cart = _cart_read(params, checkout=with_checkout, lines=with_lines)
    if cart is None:
        raise CartNotFound()
    if cart.user_id and cart.user_id != getattr(user, "pk", None):
        raise CartNotFound()
    cart.channel = channel
    return cart


def cart_locked_with_lines(cart_id: int) -> Cart:
    """The cart as stored now, locked until the transaction ends, with its shipping method,
    voucher and lines; Cart.DoesNotExist when it is gone."""
    cart = _cart_read({"id": cart_id}, checkout=True, lines=True, lock=True)
    if cart is None:
        raise Cart.DoesNotExist("Cart matching query does not exist.")
    return cart


def cart_lines_load(cart: Cart) -> list[CartLine]:
    """Read the cart's lines (again) into ``cart.lines.all()``; returns them."""
    statement = _cart_sql(by_token=False, checkout=False, lines=True, lock="")
    _lines_set(cart, [found[len(_CART) :] for found in sql.rows(statement, {"id": cart.pk})])
    return list(cart.lines.all())


def cart_lines_set(cart: Cart, lines: list[CartLine]) -> None:
    """Make ``lines`` what ``cart.lines.all()`` answers, without a query: a caller that
    just read or wrote every line."""
    related_cache_set(cart, "lines", sorted(lines, key=lambda line: line.pk))


def variant_for_sku(sku: str) -> ProductVariant | None:
    """The variant with this SKU and its product (without the texts no cart reads)."""
    return variants_for_skus([sku]).get(sku)


_VARIANTS_BY_SKU = (
    f"SELECT {VARIANT_COLUMNS.sql('v')}, {PRODUCT_COLUMNS.sql('p')}"  # noqa: S608
    f" FROM {sql.table(ProductVariant)} v JOIN {sql.table(Product)} p ON p.id = v.product_id"
    " WHERE v.sku IN "
)


def variants_for_skus(skus: list[str]) -> dict[str, ProductVariant]:
    """The variants with these SKUs and their products, by SKU, in one query (without
    the texts no cart reads); an unknown SKU is missing from the answer."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    placeholders = ", ".join(["%s"] * len(wanted))
    found: dict[str, ProductVariant] = {}
    for values in sql.rows(f"{_VARIANTS_BY_SKU}({placeholders})", wanted):
        variant: ProductVariant = VARIANT_COLUMNS.build(values[: len(VARIANT_COLUMNS)])
        variant.product = PRODUCT_COLUMNS.build(values[len(VARIANT_COLUMNS) :])
        found[variant.sku] = variant
    return found

"""Reading carts the way their shopper may see them: a cart with its shipping method and
voucher, its lines with their variants and products, and the price in the cart's channel
of each line's variant (catalog.offers, the rule the product list shows), read with the
lines."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from catalog.models import ProductVariant
from catalog.offers import price_in_channel
from shop.carts.errors import CartNotFound
from shop.carts.models import Cart, CartLine
from shop.channels.models import SalesChannel
from shop.core.db import related_cache_set
from shop.core.money import quantize

# Long texts of a product that no cart answer or rule reads.
_PRODUCT_TEXTS_UNREAD = ("description_zh", "description_en", "search_text")


@dataclass(frozen=True)
class CartRead:
    """A cart as read for its shopper."""

    cart: Cart  # with its lines in ``cart.lines.all()`` when read with them
    prices: dict[int, Decimal]  # the channel's price of each line's variant, by variant id


def cart_lines_queryset() -> QuerySet[CartLine]:
    """A cart's lines with their variants and products, oldest first."""
    return (
        CartLine.objects.select_related("variant__product")
        .defer(*(f"variant__product__{name}" for name in _PRODUCT_TEXTS_UNREAD))
        .order_by("id")
    )


def cart_lines_load(cart: Cart) -> CartRead:
    """Read the cart's lines (again) into ``cart.lines.all()``, each with the price of its
    variant in the cart's channel, in one query."""
    rows = cart_lines_queryset().filter(cart_id=cart.pk)
    priced = rows.annotate(price_in_channel=price_in_channel(cart.channel_id, variant="variant_id"))
    lines: list[CartLine] = []
    prices: dict[int, Decimal] = {}
    for line in priced:
        prices[line.variant_id] = quantize(line.price_in_channel)  # type: ignore[attr-defined]
        line.cart = cart
        lines.append(line)
    related_cache_set(cart, "lines", lines)
    return CartRead(cart=cart, prices=prices)


def cart_get(
    *,
    token: Any,
    channel: SalesChannel,
    user: Any,
    with_lines: bool = True,
    with_checkout: bool = True,
) -> CartRead:
    """The cart, if it belongs to the channel and (when it has one) to the user, with the
    channel given; with its shipping method and voucher unless ``with_checkout`` is false,
    and its lines unless ``with_lines`` is false (callers that read them under a lock)."""
    carts = Cart.objects.filter(token=token, channel=channel)
    if with_checkout:
        carts = carts.select_related("shipping_method", "voucher")
    cart = carts.first()
    if cart is None or (cart.user_id and cart.user_id != getattr(user, "pk", None)):
        raise CartNotFound()
    cart.channel = channel
    if not with_lines:
        return CartRead(cart=cart, prices={})
    return cart_lines_load(cart)


def cart_locked_with_lines(cart_id: int) -> Cart:
    """The cart as stored now, its row locked until the transaction ends, with its
    shipping method, voucher and lines; Cart.DoesNotExist when it is gone."""
    cart = (
        Cart.objects.select_for_update(of=("self",), no_key=True)
        .select_related("shipping_method", "voucher")
        .get(pk=cart_id)
    )
    cart_lines_set(cart, list(cart_lines_queryset().filter(cart_id=cart.pk)))
    return cart


def cart_lines_set(cart: Cart, lines: list[CartLine]) -> None:
    """Make ``lines`` what ``cart.lines.all()`` answers, without a query: a caller that
    just read or wrote every line."""
    related_cache_set(cart, "lines", sorted(lines, key=lambda line: line.pk))


def variant_for_sku(sku: str) -> ProductVariant | None:
    """The variant with this SKU and its product (without the texts no cart reads)."""
    return variants_for_skus([sku]).get(sku)


def variants_for_skus(skus: list[str]) -> dict[str, ProductVariant]:
    """The variants with these SKUs and their products, by SKU, in one query (without
    the texts no cart reads); an unknown SKU is missing from the answer."""
    variants = (
        ProductVariant.objects.filter(sku__in=set(skus))
        .select_related("product")
        .defer(*(f"product__{name}" for name in _PRODUCT_TEXTS_UNREAD))
    )
    return {variant.sku: variant for variant in variants}

"""Reading carts the way their shopper may see them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)

from catalog.models import ProductVariant, VariantChannelPrice
from shop.carts.models import Cart, CartLine
from shop.channels.models import SalesChannel
from shop.checkout.errors import CartNotFound
from shop.core.db import related_cache_set

# Long texts of a product that no cart answer or rule reads.
_UNREAD_PRODUCT_TEXTS = (
    "variant__product__description_zh",
    "variant__product__description_en",
    "variant__product__search_text",
)


def cart_lines_queryset(channel_id: int | None = None) -> QuerySet[CartLine]:
    """A cart's lines with their variants and products, oldest first; given the cart's
    channel, each line also carries ``channel_price``, the channel's own price of its
    variant (None: the list price)."""
    queryset = (
        CartLine.objects.select_related("variant__product")
        .defer(*_UNREAD_PRODUCT_TEXTS)
        .order_by("id")
    )
    if channel_id is None:
        return queryset
    own_price = VariantChannelPrice.objects.filter(
        variant_id=OuterRef("variant_id"), channel_id=channel_id
    ).values("price")[:1]
    return queryset.annotate(
        channel_price=Subquery(
            own_price, output_field=DecimalField(max_digits=12, decimal_places=2)
        )
    )


def cart_line_prices(lines: list[CartLine]) -> dict[int, Decimal] | None:
    """The channel price of each line's variant, when the lines were read with them."""
    if not all(hasattr(line, "channel_price") for line in lines):
        return None
    prices: dict[int, Decimal] = {}
    for line in lines:
        own: Decimal | None = getattr(line, "channel_price")  # noqa: B009 (an annotation)
        prices[line.variant_id] = own if own is not None else line.variant.price
    return prices


def cart_get(
    *,
    token: Any,
    channel: SalesChannel,
    user: Any,
    with_lines: bool = True,
    with_checkout: bool = True,
    annotations: dict[str, Any] | None = None,
) -> Cart:
    """The cart, if it belongs to the channel and (when it has one) to the user, with the
    channel given; with its shipping method and voucher unless ``with_checkout`` is false,
    and its lines unless ``with_lines`` is false (callers that read them under a lock)."""
    carts = Cart.objects.filter(token=token, channel=channel).order_by()
    if with_checkout:
        carts = carts.select_related("shipping_method", "voucher")
    if annotations:
        carts = carts.annotate(**annotations)
    cart = next(iter(carts[:1]), None)
    if cart is None:
        raise CartNotFound()
    if cart.user_id and cart.user_id != getattr(user, "pk", None):
        raise CartNotFound()
    cart.channel = channel
    if with_lines:
        cart_lines_load(cart)
    return cart


def cart_lines_load(cart: Cart) -> list[CartLine]:
    """Read the cart's lines (again) into ``cart.lines.all()``; returns them."""
    getattr(cart, "_prefetched_objects_cache", {}).pop("lines", None)
    prefetch_related_objects(
        [cart], Prefetch("lines", queryset=cart_lines_queryset(cart.channel_id))
    )
    return list(cart.lines.all())


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
        ProductVariant.objects.select_related("product")
        .defer(*(name.removeprefix("variant__") for name in _UNREAD_PRODUCT_TEXTS))
        .filter(sku__in=sorted(set(skus)))
        .order_by()
    )
    return {variant.sku: variant for variant in variants}

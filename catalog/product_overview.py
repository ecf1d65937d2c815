"""What the product pages of the admin show beside the product's own fields: its prices
(list price and each channel's), its stock per warehouse (on hand, reserved, free) and
a thumbnail of its first picture.

The changelist reads every product's price range, stock totals and first picture in a
fixed number of queries (annotations and one prefetch), however many products a page
holds; the change page reads its variants, their channel prices and their stock in one
query each. Partner staff see the stock of their own warehouses only, as everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from catalog.images.models import ProductImage
from catalog.images.sizes import picture_size
from catalog.models import Product, ProductVariant, Stock, VariantChannelPrice
from catalog.permissions import stocks_visible_to
from shop.core.i18n import pick_active
from shop.core.money import quantize

THUMBNAIL_WIDTH = 48


def _per_product(queryset: QuerySet, product_path: str, total: Any, field: Any) -> Subquery:
    rows = queryset.filter(**{product_path: OuterRef("pk")}).order_by().values(product_path)
    return Subquery(rows.annotate(total=total).values("total")[:1], output_field=field)


def products_with_overview(queryset: QuerySet[Product], user: Any) -> QuerySet[Product]:
    """Products with ``price_min``, ``price_max``, ``units_on_hand``, ``units_free`` (of
    the warehouses the user sees) and ``pictures`` (the stored ones, in order)."""
    variants = ProductVariant.objects.filter(is_active=True)
    stocks = stocks_visible_to(user, Stock.objects.all())
    money: DecimalField = DecimalField(max_digits=12, decimal_places=2)
    pictures = ProductImage.objects.exclude(image="").order_by("position", "id")
    return queryset.annotate(
        price_min=_per_product(variants, "product", Min("price"), money),
        price_max=_per_product(variants, "product", Max("price"), money),
        units_on_hand=_per_product(stocks, "variant__product", Sum("quantity"), IntegerField()),
        units_free=_per_product(
            stocks,
            "variant__product",
            Sum(F("quantity") - F("quantity_reserved")),
            IntegerField(),
        ),
    ).prefetch_related(Prefetch("images", queryset=pictures, to_attr="pictures"))


def thumbnail_html(picture: ProductImage | None, width: int = THUMBNAIL_WIDTH) -> SafeString:
    if picture is None or not picture.image:
        return format_html("{}", "-")
    thumbnail = picture_size(picture, "thumbnail")
    return format_html(
        '<img src="{}" alt="" width="{}" style="width: {}px; height: auto">',
        thumbnail.url,
        width,
        width,
    )


def first_picture(product: Product) -> ProductImage | None:
    pictures = getattr(product, "pictures", None)
    if pictures is None:
        pictures = list(product.images.exclude(image="").order_by("position", "id")[:1])
    return pictures[0] if pictures else None


def price_range_text(product: Product) -> str:
    low, high = getattr(product, "price_min", None), getattr(product, "price_max", None)
    if low is None:
        return "-"
    # SQLite hands an aggregate of decimals back as a number: two places, as stored.
    low, high = quantize(Decimal(str(low))), quantize(Decimal(str(high)))
    return f"¥{low}" if low == high else f"¥{low}–¥{high}"


def stock_text(product: Product) -> str:
    on_hand = getattr(product, "units_on_hand", None) or 0
    free = getattr(product, "units_free", None) or 0
    return _("%(free)s free of %(on_hand)s") % {"free": free, "on_hand": on_hand}


def _variant_label(variant: ProductVariant) -> str:
    name = pick_active(variant, "name")
    return f"{variant.sku} · {name}" if name else variant.sku


def prices_table(product: Product) -> SafeString:
    """A row per variant: its list price and its price in each channel that has one."""
    prices = VariantChannelPrice.objects.select_related("channel").order_by("channel__code")
    variants = product.variants.order_by("position", "id").prefetch_related(
        Prefetch("channel_prices", queryset=prices)
    )
    rows = [
        (
            _variant_label(variant),
            f"¥{variant.price}",
            "; ".join(f"{price.channel}: ¥{price.price}" for price in variant.channel_prices.all())
            or "-",
        )
        for variant in variants
    ]
    head = (_("Variant"), _("List price"), _("Channel prices"))
    return _table(head, rows)


def stock_table(product: Product, user: Any) -> SafeString:
    """A row per variant and warehouse the user sees: on hand, reserved, free."""
    stocks = stocks_visible_to(user, Stock.objects.filter(variant__product=product))
    stocks = stocks.select_related("variant", "warehouse").order_by(
        "variant__position", "variant_id", "warehouse__code"
    )
    rows = [
        (
            _variant_label(stock.variant),
            str(stock.warehouse),
            str(stock.quantity),
            str(stock.quantity_reserved),
            str(stock.quantity - stock.quantity_reserved),
        )
        for stock in stocks
    ]
    head = (_("Variant"), _("Warehouse"), _("On hand"), _("Reserved"), _("Free"))
    return _table(head, rows)


def _table(head: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> SafeString:
    if not rows:
        return format_html("{}", "-")
    header = format_html_join("", "<th>{}</th>", ((cell,) for cell in head))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", header, body)

"""Public catalog output: every text in the shopper's language, stock as a level only.

Serializers read the language from ``context["lang"]`` (``zh`` or ``en``) and expect the
products to come from :mod:`catalog.selectors`, which annotates prices and stock.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.images.models import ProductImage
from catalog.images.sizes import (
    LARGE_BOX,
    THUMBNAIL_BOX,
    picture_size,
    picture_sizes_stored,
    stored_address,
)
from catalog.models import PersonalisationCharset
from catalog.product_cards import CardPicture, ProductCard
from catalog.search.filtering import SEARCH_COUNT_MAX
from catalog.selectors import (
    IN_STOCK,
    LIST_COUNT_MAX,
    LOW,
    SOLD_OUT,
    ProductPage,
    availability_level,
)
from shop.core.i18n import ZH, pick
from shop.core.money import CURRENCY

CENT = Decimal("0.01")
AVAILABILITY_CHOICES = [IN_STOCK, LOW, SOLD_OUT]
PICTURE_STORAGE = ProductImage._meta.get_field("image").storage  # type: ignore[attr-defined]


def money_text(amount: Decimal | None) -> str | None:
    """An amount as DRF's ``DecimalField(decimal_places=2)`` writes it: ``"45.00"``."""
    return None if amount is None else f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):f}"


@extend_schema_field(OpenApiTypes.STR)
class TranslatedField(serializers.Field):
    """``<name>_zh`` or ``<name>_en`` in the request's language, falling back to the other."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        self.base_name = name
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return pick(value, self.base_name, self.context.get("lang", ZH))


class AvailabilityField(serializers.ChoiceField):
    """The stock level from the ``quantity_available`` and ``low_stock_threshold`` annotations."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(choices=AVAILABILITY_CHOICES, **kwargs)

    def to_representation(self, value: Any) -> str:
        return availability_level(
            getattr(value, "quantity_available", 0), getattr(value, "low_stock_threshold", 0)
        )


class CollectionSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = TranslatedField("name")
    description = TranslatedField("description")


class CollectionSummarySerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = TranslatedField("name")


class TagSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = TranslatedField("name")


class ImageSizeSerializer(serializers.Serializer):
    url = serializers.CharField(read_only=True)
    width = serializers.IntegerField(read_only=True, help_text="In pixels.")
    height = serializers.IntegerField(read_only=True, help_text="In pixels.")


@extend_schema_field(ImageSizeSerializer)
class ImageSizeField(serializers.Field):
    """One size of the picture, from its stored width and height (no file is opened)."""

    def __init__(self, size: str, **kwargs: Any) -> None:
        self.size = size
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict:
        sized = picture_size(value, self.size)
        return {"url": sized.url, "width": sized.width, "height": sized.height}


class ImageSerializer(serializers.Serializer):
    """A product picture: the original as uploaded and the sizes made from it."""

    url = serializers.CharField(read_only=True, source="image.url")
    width = serializers.IntegerField(read_only=True, help_text="In pixels.")
    height = serializers.IntegerField(read_only=True, help_text="In pixels.")
    alt = TranslatedField("alt")
    thumbnail = ImageSizeField(
        "thumbnail", help_text=f"Fits a {THUMBNAIL_BOX} px square; for lists (JPEG)."
    )
    large = ImageSizeField(
        "large", help_text=f"Fits a {LARGE_BOX} px square; for the product page (JPEG)."
    )


def picture_data(picture: Any, lang: str) -> dict:
    """What :class:`ImageSerializer` gives for ``picture``, built directly: the product
    list gives twenty of them, and a nested serializer per product (its fields copied
    each time) cost more than the rest of the product's answer."""
    sizes = {}
    for name in ("thumbnail", "large"):
        sized = picture_size(picture, name)
        sizes[name] = {"url": sized.url, "width": sized.width, "height": sized.height}
    return {
        "url": picture.image.url,
        "width": picture.width,
        "height": picture.height,
        "alt": pick(picture, "alt", lang),
        **sizes,
    }


def _named(named: Any, lang: str) -> dict | None:
    return None if named is None else {"slug": named.slug, "name": pick(named, "name", lang)}


def _card_picture_data(picture: CardPicture, lang: str) -> dict:
    """:func:`picture_data` for a card's picture, read as a plain row."""

    def stored() -> ProductImage:
        # Made only the first time this process meets the picture (its sizes' names).
        return ProductImage(image=picture.name, width=picture.width, height=picture.height)

    sizes = {
        name: {"url": sized.url, "width": sized.width, "height": sized.height}
        for name, sized in picture_sizes_stored(
            picture.name, picture.width, picture.height, stored
        ).items()
    }
    return {
        "url": stored_address(PICTURE_STORAGE, picture.name),
        "width": picture.width,
        "height": picture.height,
        "alt": pick(picture, "alt", lang),
        **sizes,
    }


def product_card_data(card: ProductCard, lang: str) -> dict:
    """What :class:`ProductListItemSerializer` gives for a card, built directly: twenty
    cards a page, and a serializer's fields per card cost more than reading them."""
    return {
        "slug": card.slug,
        "name": pick(card, "name", lang),
        "collection": _named(card.collection, lang),
        "tags": [_named(tag, lang) for tag in card.tags],
        "image": None if card.picture is None else _card_picture_data(card.picture, lang),
        "price_from": money_text(card.price_from),
        "currency": CURRENCY,
        "availability": availability_level(card.quantity_available, card.low_stock_threshold),
        "is_limited_edition": card.is_limited_edition,
    }


def _relic_data(relic: Any, lang: str) -> dict | None:
    if relic is None:
        return None
    return {
        "slug": relic.slug,
        "name": pick(relic, "name", lang),
        "period": pick(relic, "period", lang),
        "museum_number": relic.museum_number,
        "story": pick(relic, "story", lang),
        "image_url": relic.image_url,
    }


def _variant_data(variant: Any, lang: str) -> dict:
    return {
        "sku": variant.sku,
        "name": pick(variant, "name", lang),
        "options": variant.options,
        "price": money_text(variant.effective_price),
        "currency": CURRENCY,
        "availability": availability_level(variant.quantity_available, variant.low_stock_threshold),
    }


def product_page_data(page: ProductPage, lang: str) -> dict:
    """What :class:`ProductDetailSerializer` gives for a product page, built directly
    (the nested serializers' fields, copied for every variant and picture, cost more than
    the product's statements)."""
    product = page.product
    pictures = [_card_picture_data(picture, lang) for picture in page.pictures]
    return {
        "slug": product.slug,
        "name": pick(product, "name", lang),
        "collection": _named(product.collection, lang),
        "tags": [_named(tag, lang) for tag in page.tags],
        "image": pictures[0] if pictures else None,
        "price_from": money_text(page.price_from),
        "currency": CURRENCY,
        "availability": availability_level(page.quantity_available, page.low_stock_threshold),
        "is_limited_edition": product.is_limited_edition,
        "description": pick(product, "description", lang),
        "relic": _relic_data(product.relic, lang),
        "images": pictures,
        "variants": [_variant_data(variant, lang) for variant in page.active_variants],
        "limited_edition": {
            "edition_size": product.edition_size,
            "purchase_limit": product.purchase_limit,
        },
        "personalisation": {
            "enabled": product.personalisation_enabled,
            "label": pick(product, "personalisation_label", lang),
            "max_length": product.personalisation_max_length,
            "charset": product.personalisation_charset,
        },
    }


class RelicSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = TranslatedField("name")
    period = TranslatedField("period")
    museum_number = serializers.CharField(read_only=True)
    story = TranslatedField("story")
    image_url = serializers.CharField(read_only=True)


class VariantSerializer(serializers.Serializer):
    sku = serializers.CharField(read_only=True)
    name = TranslatedField("name")
    options = serializers.DictField(read_only=True, help_text='For example {"size": "M"}.')
    price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        source="effective_price",
        help_text="In the channel, its own price if it has one; else the list price.",
    )
    currency = serializers.SerializerMethodField()
    availability = AvailabilityField()

    def get_currency(self, variant: Any) -> str:
        return CURRENCY


class LimitedEditionSerializer(serializers.Serializer):
    edition_size = serializers.IntegerField(read_only=True, allow_null=True)
    purchase_limit = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Most units one shopper may buy."
    )


class PersonalisationSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(read_only=True, source="personalisation_enabled")
    # A declared field named like a Field attribute; DRF moves it into ``fields``.
    label = TranslatedField("personalisation_label")  # type: ignore[assignment]
    max_length = serializers.IntegerField(
        read_only=True, allow_null=True, source="personalisation_max_length"
    )
    charset = serializers.ChoiceField(
        read_only=True,
        choices=[*PersonalisationCharset.values, ""],
        source="personalisation_charset",
    )


class ProductListItemSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = TranslatedField("name")
    collection = CollectionSummarySerializer(read_only=True, allow_null=True)
    tags = TagSerializer(many=True, read_only=True)
    image = serializers.SerializerMethodField()
    price_from = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="The lowest variant price (in the channel, if one is given).",
    )
    currency = serializers.SerializerMethodField()
    availability = AvailabilityField()
    is_limited_edition = serializers.BooleanField(read_only=True)

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_image(self, product: Any) -> dict | None:
        # ``images`` is prefetched; indexing the cached list costs no query.
        images = list(product.images.all())
        return picture_data(images[0], self.context.get("lang", ZH)) if images else None

    def get_currency(self, product: Any) -> str:
        return CURRENCY


class ProductDetailSerializer(ProductListItemSerializer):
    description = TranslatedField("description")
    relic = RelicSerializer(read_only=True, allow_null=True)
    images = ImageSerializer(many=True, read_only=True)
    variants = VariantSerializer(many=True, read_only=True, source="active_variants")
    limited_edition = LimitedEditionSerializer(read_only=True, source="*")
    personalisation = PersonalisationSerializer(read_only=True, source="*")


class ProductPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        read_only=True,
        help_text=(
            f"How many products the list holds, counted up to {LIST_COUNT_MAX} or the page "
            "after the one asked, whichever is further; a search (q) counts at most "
            f"{SEARCH_COUNT_MAX}, and its pages reach those best-ranked ones only."
        ),
    )
    count_capped = serializers.BooleanField(
        read_only=True,
        help_text=(
            "True when the list holds more products than it counted: count is then a "
            "floor, not the total (next still leads on; a search's pages end there)."
        ),
    )
    next = serializers.URLField(read_only=True, allow_null=True)
    previous = serializers.URLField(read_only=True, allow_null=True)
    results = ProductListItemSerializer(many=True, read_only=True)
    did_you_mean = serializers.CharField(
        read_only=True,
        allow_null=True,
        required=False,
        help_text=(
            "When searching (q): the corrected query whose products these are, when the "
            "words typed found nothing; null when they found something or nobody searched."
        ),
    )
    next_cursor = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Opaque: give it as ?cursor= (with the same filters and ordering) for the page "
            "after this one, read from this place whatever its depth; null on the last page "
            "and when searching (q)."
        ),
    )
    previous_cursor = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Opaque: as ?cursor=, the page before this one; null on the first page.",
    )


class SuggestionSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="In the request's language.")


class AutocompleteSerializer(serializers.Serializer):
    query = serializers.CharField(read_only=True)
    products = SuggestionSerializer(many=True, read_only=True)
    collections = SuggestionSerializer(many=True, read_only=True)
    relics = SuggestionSerializer(many=True, read_only=True)

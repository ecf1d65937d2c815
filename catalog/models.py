"""Products, collections, per-channel listings, warehouses and stock."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# Product pictures, with their files and sizes, are a folder of their own (catalog/images/).
from catalog.images.models import ProductImage as ProductImage

# Warehouses, stock and its movements are in catalog/stock/models.py.
from catalog.stock.models import MovementReason as MovementReason
from catalog.stock.models import Stock as Stock
from catalog.stock.models import StockMovement as StockMovement
from catalog.stock.models import Warehouse as Warehouse
from shop.core.history import ShopHistory
from shop.core.i18n import pick_active
from shop.core.models import TimeStampedModel, money_field


class Collection(TimeStampedModel):
    """A co-branded product line, for example "Blossoms of Wisdom"."""

    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    name_zh = models.CharField(max_length=200, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=200, verbose_name=_("name (English)"))
    description_zh = models.TextField(blank=True, verbose_name=_("description (Chinese)"))
    description_en = models.TextField(blank=True, verbose_name=_("description (English)"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return pick_active(self, "name")


class Relic(TimeStampedModel):
    """The relic or collection piece that inspired a product, with its story."""

    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    name_zh = models.CharField(max_length=200, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=200, verbose_name=_("name (English)"))
    period_zh = models.CharField(max_length=100, blank=True, verbose_name=_("period (Chinese)"))
    period_en = models.CharField(max_length=100, blank=True, verbose_name=_("period (English)"))
    museum_number = models.CharField(max_length=64, blank=True, verbose_name=_("museum number"))
    story_zh = models.TextField(blank=True, verbose_name=_("story (Chinese)"))
    story_en = models.TextField(blank=True, verbose_name=_("story (English)"))
    image_url = models.URLField(max_length=500, blank=True, verbose_name=_("image URL"))

    class Meta:
        verbose_name = _("relic")
        verbose_name_plural = _("relics")
        ordering = ["slug"]

    def __str__(self) -> str:
        return pick_active(self, "name")


class Tag(models.Model):
    slug = models.SlugField(max_length=60, unique=True, verbose_name=_("slug"))
    name_zh = models.CharField(max_length=100, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=100, verbose_name=_("name (English)"))

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["slug"]

    def __str__(self) -> str:
        return pick_active(self, "name") or self.slug


class PersonalisationCharset(models.TextChoices):
    HAN = "han", _("Chinese characters")
    LATIN = "latin", _("Latin letters, digits and spaces")
    HAN_LATIN = "han_latin", _("Chinese characters, Latin letters, digits and spaces")


class Product(TimeStampedModel):
    slug = models.SlugField(max_length=120, unique=True, verbose_name=_("slug"))
    collection = models.ForeignKey(
        Collection,
        on_delete=models.PROTECT,
        related_name="products",
        null=True,
        blank=True,
        verbose_name=_("collection"),
    )
    relic = models.ForeignKey(
        Relic,
        on_delete=models.SET_NULL,
        related_name="products",
        null=True,
        blank=True,
        verbose_name=_("relic"),
    )
    tags = models.ManyToManyField(Tag, related_name="products", blank=True, verbose_name=_("tags"))
    name_zh = models.CharField(max_length=200, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=200, verbose_name=_("name (English)"))
    description_zh = models.TextField(blank=True, verbose_name=_("description (Chinese)"))
    description_en = models.TextField(blank=True, verbose_name=_("description (English)"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    # Limited editions: a fixed number of units ever made, and a cap per shopper.
    edition_size = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("edition size")
    )
    purchase_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Most units one shopper may buy, over all orders."),
        verbose_name=_("purchase limit"),
    )

    # Personalisation, for example an engraved name, passed on to production.
    personalisation_enabled = models.BooleanField(
        default=False, verbose_name=_("personalisation enabled")
    )
    personalisation_label_zh = models.CharField(
        max_length=100, blank=True, verbose_name=_("personalisation label (Chinese)")
    )
    personalisation_label_en = models.CharField(
        max_length=100, blank=True, verbose_name=_("personalisation label (English)")
    )
    personalisation_max_length = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("personalisation max length")
    )
    personalisation_charset = models.CharField(
        max_length=16,
        choices=PersonalisationCharset.choices,
        blank=True,
        verbose_name=_("personalisation charset"),
    )

    # Searchable forms (catalog.search.index): every text; the names; relic, collection, tags.
    search_text = models.TextField(blank=True, editable=False, verbose_name=_("search text"))
    search_name = models.TextField(blank=True, editable=False, verbose_name=_("search name"))
    search_related = models.TextField(
        blank=True, editable=False, verbose_name=_("search related text")
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["slug"]
        indexes = [models.Index(fields=["collection", "is_active"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(edition_size__isnull=True) | Q(edition_size__gt=0),
                name="product_edition_size_positive",
            ),
            models.CheckConstraint(
                condition=Q(purchase_limit__isnull=True) | Q(purchase_limit__gt=0),
                name="product_purchase_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(personalisation_enabled=False)
                | (Q(personalisation_max_length__gt=0) & ~Q(personalisation_charset="")),
                name="product_personalisation_complete",
            ),
        ]

    def __str__(self) -> str:
        return pick_active(self, "name")

    @property
    def is_limited_edition(self) -> bool:
        return self.edition_size is not None


class ProductVariant(TimeStampedModel):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product")
    )
    sku = models.CharField(max_length=64, unique=True, verbose_name=_("SKU"))
    name_zh = models.CharField(max_length=200, blank=True, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=200, blank=True, verbose_name=_("name (English)"))
    options = models.JSONField(
        default=dict, blank=True, help_text=_('e.g. {"size": "M"}'), verbose_name=_("options")
    )
    price = money_field(help_text=_("List price in CNY."), verbose_name=_("price"))
    weight_grams = models.PositiveIntegerField(default=0, verbose_name=_("weight (grams)"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    history = ShopHistory()

    class Meta:
        verbose_name = _("product variant")
        verbose_name_plural = _("product variants")
        ordering = ["product_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=Decimal("0")), name="variant_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        name = str(self.product)
        variant_name = pick_active(self, "name")
        if variant_name:
            name = f"{name} · {variant_name}"
        return _("%(name)s (SKU %(sku)s)") % {"name": name, "sku": self.sku}


class ProductChannelListing(TimeStampedModel):
    """A product is sold in a channel only while published there, inside its dates."""

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="channel_listings",
        verbose_name=_("product"),
    )
    channel = models.ForeignKey(
        "channels.SalesChannel",
        on_delete=models.CASCADE,
        related_name="product_listings",
        verbose_name=_("channel"),
    )
    is_published = models.BooleanField(default=True, verbose_name=_("published"))
    available_from = models.DateTimeField(null=True, blank=True, verbose_name=_("available from"))
    available_until = models.DateTimeField(null=True, blank=True, verbose_name=_("available until"))

    class Meta:
        verbose_name = _("product channel listing")
        verbose_name_plural = _("product channel listings")
        constraints = [
            models.UniqueConstraint(fields=["product", "channel"], name="listing_product_channel"),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_until__gt=F("available_from")),
                name="listing_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["channel", "is_published"])]

    def __str__(self) -> str:
        return _("%(product)s in %(channel)s") % {"product": self.product, "channel": self.channel}


class VariantChannelPrice(models.Model):
    """A channel's own price for a variant, overriding the list price."""

    variant = models.ForeignKey(
        ProductVariant,
        on_delete=models.CASCADE,
        related_name="channel_prices",
        verbose_name=_("variant"),
    )
    channel = models.ForeignKey(
        "channels.SalesChannel",
        on_delete=models.CASCADE,
        related_name="variant_prices",
        verbose_name=_("channel"),
    )
    price = money_field(verbose_name=_("price"))
    history = ShopHistory()

    class Meta:
        verbose_name = _("variant channel price")
        verbose_name_plural = _("variant channel prices")
        constraints = [
            models.UniqueConstraint(fields=["variant", "channel"], name="channel_price_unique"),
            models.CheckConstraint(
                condition=Q(price__gte=Decimal("0")), name="channel_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return _("%(variant)s: %(price)s in %(channel)s") % {
            "variant": self.variant,
            "price": self.price,
            "channel": self.channel,
        }


def _entry_index(name: str, *fields: str) -> models.Index:
    """An index for one ordering of the list (``fields``, then the slug), per channel.

    Every column a list is filtered by follows in the index, so counting a list and
    skipping to a deep page read the index alone (an index-only scan), never the table;
    an ordering the other way round (``-price``, ``-name``) reads its index backwards.
    (Columns after the slug only ride along; they are keys rather than INCLUDE columns,
    which SQLite does not have.)
    """
    filters = ["collection", "price_from", "has_free_units"]
    riding = ["id", "product", "available_from", "available_until"]
    riding += [field for field in filters if field not in fields]
    return models.Index(fields=["channel", *fields, "slug", *riding], name=name)


class ProductListEntry(models.Model):
    """One product as the public product list sorts, filters and counts it: one row while
    the product is on show (active, with an active variant) for browsing without a
    channel, and one for each channel it is published in.

    Derived rows, never edited: :mod:`catalog.list_entries` writes them from the product,
    its variants, channel listings, channel prices and stock (see there for who keeps them
    right). ``price_from`` is the cheapest active variant at the channel's price;
    ``has_free_units`` whether some stock row of an active variant in an open warehouse
    has units not held for anyone. The listing's dates are copied and compared with the
    clock when the list is read.
    """

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="list_entries", verbose_name=_("product")
    )
    channel = models.ForeignKey(
        "channels.SalesChannel",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        db_index=False,
        help_text=_("Empty: the catalog browsed without a channel, at list prices."),
        verbose_name=_("channel"),
    )
    slug = models.SlugField(max_length=120, db_index=False, verbose_name=_("slug"))
    name_zh = models.CharField(max_length=200, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=200, verbose_name=_("name (English)"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    collection = models.ForeignKey(
        Collection,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        db_index=False,
        verbose_name=_("collection"),
    )
    available_from = models.DateTimeField(null=True, verbose_name=_("available from"))
    available_until = models.DateTimeField(null=True, verbose_name=_("available until"))
    price_from = money_field(verbose_name=_("price from"))
    has_free_units = models.BooleanField(default=False, verbose_name=_("free units"))

    class Meta:
        verbose_name = _("product list entry")
        verbose_name_plural = _("product list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "channel"],
                condition=Q(channel__isnull=False),
                name="list_entry_product_channel",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(channel__isnull=True),
                name="list_entry_product_browsing",
            ),
            models.CheckConstraint(
                condition=Q(price_from__gte=Decimal("0")), name="list_entry_price_gte_0"
            ),
        ]
        indexes = [
            _entry_index("list_entry_slug"),
            _entry_index("list_entry_price", "price_from"),
            _entry_index("list_entry_newest", "-created_at"),
            _entry_index("list_entry_name_zh", "name_zh"),
            _entry_index("list_entry_name_en", "name_en"),
            _entry_index("list_entry_collection", "collection"),
        ]

    def __str__(self) -> str:
        return f"{self.slug} in {self.channel_id or 'the catalog'}"


from catalog.csv.jobs import CsvImport as CsvImport  # noqa: E402
from catalog.search import models as _search_models  # noqa: E402, F401  (registered)

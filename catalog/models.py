"""Products, collections, per-channel listings, warehouses and stock."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# Product pictures, with their files and sizes, are a folder of their own (catalog/images/).
from catalog.images.models import ProductImage as ProductImage
from shop.core.history import ShopHistory
from shop.core.models import TimeStampedModel, money_field


class Collection(TimeStampedModel):
    """A co-branded product line, for example "Blossoms of Wisdom"."""

    slug = models.SlugField(max_length=80, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_zh = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name_en or self.name_zh


class Relic(TimeStampedModel):
    """The relic or collection piece that inspired a product, with its story."""

    slug = models.SlugField(max_length=80, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    period_zh = models.CharField(max_length=100, blank=True)
    period_en = models.CharField(max_length=100, blank=True)
    museum_number = models.CharField(max_length=64, blank=True)
    story_zh = models.TextField(blank=True)
    story_en = models.TextField(blank=True)
    image_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name_en or self.name_zh


class Tag(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class PersonalisationCharset(models.TextChoices):
    HAN = "han", _("Chinese characters")
    LATIN = "latin", _("Latin letters, digits and spaces")
    HAN_LATIN = "han_latin", _("Chinese characters, Latin letters, digits and spaces")


class Product(TimeStampedModel):
    slug = models.SlugField(max_length=120, unique=True)
    collection = models.ForeignKey(
        Collection, on_delete=models.PROTECT, related_name="products", null=True, blank=True
    )
    relic = models.ForeignKey(
        Relic, on_delete=models.SET_NULL, related_name="products", null=True, blank=True
    )
    tags = models.ManyToManyField(Tag, related_name="products", blank=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_zh = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    # Limited editions: a fixed number of units ever made, and a cap per shopper.
    edition_size = models.PositiveIntegerField(null=True, blank=True)
    purchase_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most units one shopper may buy, over all orders."
    )

    # Personalisation, for example an engraved name, passed on to production.
    personalisation_enabled = models.BooleanField(default=False)
    personalisation_label_zh = models.CharField(max_length=100, blank=True)
    personalisation_label_en = models.CharField(max_length=100, blank=True)
    personalisation_max_length = models.PositiveSmallIntegerField(null=True, blank=True)
    personalisation_charset = models.CharField(
        max_length=16, choices=PersonalisationCharset.choices, blank=True
    )

    # Searchable forms (catalog.search.index): every text; the names; relic, collection, tags.
    search_text = models.TextField(blank=True, editable=False)
    search_name = models.TextField(blank=True, editable=False)
    search_related = models.TextField(blank=True, editable=False)

    class Meta:
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
        return self.name_en or self.name_zh

    @property
    def is_limited_edition(self) -> bool:
        return self.edition_size is not None


class ProductVariant(TimeStampedModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    name_zh = models.CharField(max_length=200, blank=True)
    name_en = models.CharField(max_length=200, blank=True)
    options = models.JSONField(default=dict, blank=True, help_text='e.g. {"size": "M"}')
    price = money_field(help_text="List price in CNY.")
    weight_grams = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    history = ShopHistory()

    class Meta:
        ordering = ["product_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=Decimal("0")), name="variant_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.sku


class ProductChannelListing(TimeStampedModel):
    """A product is sold in a channel only while published there, inside its dates."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="channel_listings")
    channel = models.ForeignKey(
        "channels.SalesChannel", on_delete=models.CASCADE, related_name="product_listings"
    )
    is_published = models.BooleanField(default=True)
    available_from = models.DateTimeField(null=True, blank=True)
    available_until = models.DateTimeField(null=True, blank=True)

    class Meta:
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
        return f"{self.product} in {self.channel}"


class VariantChannelPrice(models.Model):
    """A channel's own price for a variant, overriding the list price."""

    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, related_name="channel_prices"
    )
    channel = models.ForeignKey(
        "channels.SalesChannel", on_delete=models.CASCADE, related_name="variant_prices"
    )
    price = money_field()
    history = ShopHistory()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "channel"], name="channel_price_unique"),
            models.CheckConstraint(
                condition=Q(price__gte=Decimal("0")), name="channel_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant} {self.price} in {self.channel}"


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

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="list_entries")
    channel = models.ForeignKey(
        "channels.SalesChannel",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        db_index=False,
        help_text="Empty: the catalog browsed without a channel, at list prices.",
    )
    slug = models.SlugField(max_length=120, db_index=False)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="+", null=True, db_index=False
    )
    available_from = models.DateTimeField(null=True)
    available_until = models.DateTimeField(null=True)
    price_from = money_field()
    has_free_units = models.BooleanField(default=False)

    class Meta:
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


class Warehouse(TimeStampedModel):
    """A stock location operated by one partner."""

    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="warehouses"
    )
    country = models.CharField(max_length=2, default="CN")
    province = models.CharField(max_length=64, blank=True)
    city = models.CharField(max_length=64, blank=True)
    district = models.CharField(max_length=64, blank=True)
    street = models.CharField(max_length=255, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Stock(models.Model):
    """Units of one variant in one warehouse: on hand, and how many of those are reserved."""

    variant = models.ForeignKey(ProductVariant, on_delete=models.PROTECT, related_name="stocks")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocks")
    quantity = models.IntegerField(default=0, help_text="Units on hand.")
    quantity_reserved = models.IntegerField(
        default=0, help_text="Units on hand held for checkouts and unshipped orders."
    )
    low_stock_threshold = models.PositiveIntegerField(default=settings.SHOP_LOW_STOCK_DEFAULT)
    # When the row last changed: units on hand or reserved (holds included), or its
    # threshold. Every change stamps it, conditional UPDATEs too (update() skips auto_now).
    updated_at = models.DateTimeField(auto_now=True)
    # Threshold changes, with who made them; units are traced by the movements instead
    # (and change by UPDATEs, which write no history).
    history = ShopHistory(excluded_fields=["quantity", "quantity_reserved"])

    class Meta:
        ordering = ["variant_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "warehouse"], name="stock_variant_warehouse"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_quantity_gte_0"),
            models.CheckConstraint(
                condition=Q(quantity_reserved__gte=0), name="stock_reserved_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(quantity_reserved__lte=F("quantity")),
                name="stock_reserved_lte_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.quantity}/{self.quantity_reserved}"

    @property
    def quantity_available(self) -> int:
        return self.quantity - self.quantity_reserved


class MovementReason(models.TextChoices):
    RECEIPT = "receipt", "Receipt of a production batch"
    ADJUSTMENT = "adjustment", "Adjustment"
    COUNT = "count", "Stock count"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    TRANSFER_IN = "transfer_in", "Transfer in"
    SALE = "sale", "Sale (shipped)"
    RETURN = "return", "Return"
    WRITE_OFF = "write_off", "Written off"


class StockMovement(models.Model):
    """One change of units on hand; the rows of a stock add up to its quantity."""

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    quantity_delta = models.IntegerField()
    quantity_after = models.IntegerField()
    reason = models.CharField(max_length=16, choices=MovementReason.choices)
    reference = models.CharField(max_length=100, blank=True, help_text="Batch, order or transfer.")
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_movements",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity_delta=0), name="movement_delta_nonzero"),
            models.CheckConstraint(condition=Q(quantity_after__gte=0), name="movement_after_gte_0"),
            models.CheckConstraint(
                condition=Q(reason__in=MovementReason.values), name="movement_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["stock", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.reason} {self.quantity_delta:+d} on {self.stock_id}"


from catalog.search import models as _search_models  # noqa: E402, F401  (registered)

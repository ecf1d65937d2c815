"""The catalog: collections, products, variants, listings, prices, warehouses and stock."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from catalog.list_entries import list_entries_refresh
from catalog.models import (
    Collection,
    MovementReason,
    Product,
    ProductChannelListing,
    ProductVariant,
    Relic,
    Stock,
    Tag,
    VariantChannelPrice,
    Warehouse,
)
from catalog.stock.movements import stock_change
from tests.factories.channels import SalesChannelFactory
from tests.factories.partners import PartnerFactory


class CollectionFactory(DjangoModelFactory):
    class Meta:
        model = Collection

    slug = factory.Sequence(lambda n: f"collection-{n}")
    name_zh = factory.Sequence(lambda n: f"系列{n}")
    name_en = factory.Sequence(lambda n: f"Collection {n}")


class RelicFactory(DjangoModelFactory):
    class Meta:
        model = Relic

    slug = factory.Sequence(lambda n: f"relic-{n}")
    name_zh = "福字碑"
    name_en = "The Fu Character Stele"
    story_zh = "康熙皇帝御笔。"
    story_en = "Written by the Kangxi Emperor."


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tag-{n}")
    name_zh = "标签"
    name_en = "Tag"


class ListEntriesRefreshed(DjangoModelFactory):
    """Writes the product's list entries after creating the row, as the admin, the CSV
    import and the demo data do after saving catalog rows (see catalog/list_entries.py)."""

    class Meta:
        abstract = True

    @classmethod
    def _product_id(cls, instance):
        return instance.product_id

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = super()._create(model_class, *args, **kwargs)
        list_entries_refresh(product_ids=[cls._product_id(instance)])
        return instance


class ProductFactory(ListEntriesRefreshed):
    class Meta:
        model = Product

    slug = factory.Sequence(lambda n: f"product-{n}")
    collection = factory.SubFactory(CollectionFactory)
    relic = factory.SubFactory(RelicFactory)
    name_zh = factory.Sequence(lambda n: f"产品{n}")
    name_en = factory.Sequence(lambda n: f"Product {n}")
    description_zh = "描述"
    description_en = "Description"

    @classmethod
    def _product_id(cls, instance):
        return instance.pk


class ProductVariantFactory(ListEntriesRefreshed):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name_zh = "标准"
    name_en = "Standard"
    price = Decimal("99.00")


class ProductChannelListingFactory(ListEntriesRefreshed):
    class Meta:
        model = ProductChannelListing

    product = factory.SubFactory(ProductFactory)
    channel = factory.SubFactory(SalesChannelFactory)
    is_published = True


class VariantChannelPriceFactory(ListEntriesRefreshed):
    class Meta:
        model = VariantChannelPrice

    variant = factory.SubFactory(ProductVariantFactory)
    channel = factory.SubFactory(SalesChannelFactory)
    price = Decimal("89.00")

    @classmethod
    def _product_id(cls, instance):
        return instance.variant.product_id


class WarehouseFactory(DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"wh-{n}")
    name_zh = factory.Sequence(lambda n: f"仓库{n}")
    name_en = factory.Sequence(lambda n: f"Warehouse {n}")
    partner = factory.SubFactory(PartnerFactory)
    province = "北京市"
    city = "北京市"
    district = "西城区"
    street = "前海西街17号"
    postcode = "100009"


class StockFactory(ListEntriesRefreshed):
    """A stock row with quantity 0; use the inventory services to put units in."""

    class Meta:
        model = Stock

    variant = factory.SubFactory(ProductVariantFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    quantity = 0
    quantity_reserved = 0

    @classmethod
    def _product_id(cls, instance):
        return instance.variant.product_id


class ProductImageFactory(DjangoModelFactory):
    class Meta:
        model = "catalog.ProductImage"

    product = factory.SubFactory(ProductFactory)
    # A real JPEG through the default storage (the tests' own MEDIA_ROOT); its sizes are
    # made when the row is saved.
    image = factory.django.ImageField(
        width=640, height=480, color="#8c2f39", format="JPEG", filename="picture.jpg"
    )
    alt_zh = "产品图片"
    alt_en = "Product photo"
    position = 0


def stock_with_units(variant=None, warehouse=None, quantity: int = 10) -> Stock:
    """A stock row holding ``quantity`` units, put in by a receipt movement."""
    stock = StockFactory(
        variant=variant or ProductVariantFactory(),
        warehouse=warehouse or WarehouseFactory(),
    )
    if quantity:
        stock_change(stock_id=stock.pk, delta=quantity, reason=MovementReason.RECEIPT)
    stock.refresh_from_db()
    return stock


def product_with_variant(*, price: str = "99.00", quantity: int = 0, **kwargs) -> Product:
    """A product with one variant at ``price``; ``quantity`` units stored in a new warehouse
    when given (set on the row directly, as the catalog's read-side tests need)."""
    product = ProductFactory(**kwargs)
    variant = ProductVariantFactory(product=product, price=Decimal(price))
    if quantity:
        StockFactory(variant=variant, quantity=quantity)
    return product


def catalog_listed_in(count: int, channel) -> None:
    """``count`` products listed in ``channel``, each with a tag, a picture and two variants
    (one priced for the channel), their stock varying from none to six units: a page of
    the product list with everything the list shows."""
    for index in range(count):
        product = product_with_variant(slug=f"product-{index:02d}", quantity=index % 7)
        product.tags.add(TagFactory(slug=f"tag-{index % 3}"))
        ProductImageFactory(product=product)
        variant = ProductVariantFactory(product=product, price=Decimal("50.00"))
        VariantChannelPriceFactory(variant=variant, channel=channel, price=Decimal("45.00"))
        ProductChannelListingFactory(product=product, channel=channel)

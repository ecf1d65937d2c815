"""Catalog scenes several tests build whole: the study seal the public API tests show,
the folding fan whose list entries the list entries' tests follow, and a stock row with
units in place."""

from __future__ import annotations

import datetime
from decimal import Decimal

from catalog.models import PersonalisationCharset, Product, Stock
from catalog.stock.services import stock_receive
from tests.factories.accounts import SuperuserFactory
from tests.factories.catalog import (
    CollectionFactory,
    ProductChannelListingFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
    RelicFactory,
    StockFactory,
    TagFactory,
    VariantChannelPriceFactory,
    WarehouseFactory,
)
from tests.factories.channels import SalesChannelFactory


def stock_row(quantity=10, reserved=0, **kwargs) -> Stock:
    """A stock row holding ``quantity`` units, ``reserved`` of them held (set directly)."""
    return StockFactory(quantity=quantity, quantity_reserved=reserved, **kwargs)


def _seal_product() -> Product:
    collection = CollectionFactory(
        slug="blossoms",
        name_zh="智慧之花",
        name_en="Blossoms of Wisdom",
        description_zh="文房雅物",
        description_en="Study treasures",
    )
    relic = RelicFactory(
        slug="study-seal",
        name_zh="书斋闲章",
        name_en="The Study Seal",
        period_zh="清",
        period_en="Qing dynasty",
        museum_number="GWF-0310",
        story_zh="青玉质地。",
        story_en="Green jade.",
        image_url="https://img.example.com/relics/seal.jpg",
    )
    product = ProductFactory(
        slug="study-seal",
        collection=collection,
        relic=relic,
        name_zh="书斋印章",
        name_en="Study Seal",
        description_zh="手工刻制",
        description_en="Hand-carved",
        edition_size=300,
        purchase_limit=2,
        personalisation_enabled=True,
        personalisation_label_zh="刻字内容",
        personalisation_label_en="Name to engrave",
        personalisation_max_length=4,
        personalisation_charset=PersonalisationCharset.HAN,
    )
    product.tags.add(TagFactory(slug="gift", name_zh="礼物", name_en="Gift"))
    return product


def _seal_pictures(product: Product) -> None:
    ProductImageFactory(
        product=product,
        image__width=900,
        image__height=1200,
        image__format="PNG",
        image__filename="seal-side.png",
        position=2,
        alt_en="",
        alt_zh="侧面",
    )
    ProductImageFactory(
        product=product,
        image__width=1600,
        image__height=1000,
        image__filename="seal-front.jpg",
        position=1,
        alt_zh="正面",
        alt_en="Front",
    )
    # Kept from before pictures were files: not shown.
    ProductImageFactory(
        product=product, image="", external_url="https://img.example.com/seal-0.jpg", position=0
    )


def _seal_variants(product: Product) -> None:
    small = ProductVariantFactory(
        product=product,
        sku="SEAL-S",
        name_zh="小号",
        name_en="Small",
        options={"size": "S"},
        price=Decimal("128.00"),
        position=1,
    )
    large = ProductVariantFactory(
        product=product,
        sku="SEAL-L",
        name_zh="大号",
        name_en="Large",
        options={"size": "L"},
        price=Decimal("168.00"),
        position=2,
    )
    StockFactory(variant=small, quantity=20, quantity_reserved=2, low_stock_threshold=5)
    StockFactory(variant=large, quantity=3, low_stock_threshold=5)


def study_seal() -> Product:
    """A personalised limited edition with two variants, stocked, in a collection and a
    tag, with two pictures (and an old address kept from before pictures were files)."""
    product = _seal_product()
    _seal_pictures(product)
    _seal_variants(product)
    return product


FAN_SHOP_OPENS = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)


def fan_shop() -> dict:
    """A product in two channels (one with its own price) and browsing, with one stock row
    of 3 units in an open warehouse."""
    web = SalesChannelFactory(code="web")
    app = SalesChannelFactory(code="app")
    collection = CollectionFactory(slug="blossoms")
    product = ProductFactory(
        slug="fan", name_zh="折扇", name_en="Folding Fan", collection=collection
    )
    cheap = ProductVariantFactory(product=product, sku="FAN-S", price=Decimal("80.00"))
    ProductVariantFactory(product=product, sku="FAN-L", price=Decimal("120.00"))
    VariantChannelPriceFactory(variant=cheap, channel=app, price=Decimal("70.00"))
    ProductChannelListingFactory(product=product, channel=web)
    ProductChannelListingFactory(
        product=product,
        channel=app,
        available_from=FAN_SHOP_OPENS,
        available_until=FAN_SHOP_OPENS + datetime.timedelta(days=1),
    )
    warehouse = WarehouseFactory()
    stock = StockFactory(variant=cheap, warehouse=warehouse)
    staff = SuperuserFactory()
    stock_receive(variant=cheap, warehouse=warehouse, quantity=3, batch_reference="B1", user=staff)
    return {
        "web": web,
        "app": app,
        "collection": collection,
        "product": product,
        "cheap": cheap,
        "stock": Stock.objects.get(pk=stock.pk),
        "warehouse": warehouse,
        "staff": staff,
    }

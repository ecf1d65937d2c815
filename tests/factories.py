"""Factories for every model the tests build; one place, shared by all test modules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from catalog.list_entries import list_entries_refresh
from catalog.models import (
    Collection,
    Product,
    ProductChannelListing,
    ProductVariant,
    Relic,
    Stock,
    Tag,
    VariantChannelPrice,
    Warehouse,
)
from partners.models import Partner, PartnerMembership, PartnerRole
from shop.accounts.models import User
from shop.channels.models import ChannelKind, SalesChannel


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Li"
    last_name = "Wei"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"partner-{n}")
    name_zh = factory.Sequence(lambda n: f"伙伴{n}")
    name_en = factory.Sequence(lambda n: f"Partner {n}")


class PartnerMembershipFactory(DjangoModelFactory):
    class Meta:
        model = PartnerMembership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = PartnerRole.VIEWER


class SalesChannelFactory(DjangoModelFactory):
    class Meta:
        model = SalesChannel

    code = factory.Sequence(lambda n: f"channel-{n}")
    name_zh = factory.Sequence(lambda n: f"渠道{n}")
    name_en = factory.Sequence(lambda n: f"Channel {n}")
    kind = ChannelKind.WEB_SHOP
    owner = factory.SubFactory(PartnerFactory)
    commission_rate = Decimal("0.1000")
    is_public = True


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


class PartnerStaffFactory(DjangoModelFactory):
    """A staff user who manages one partner's warehouses (the membership row)."""

    class Meta:
        model = PartnerMembership

    user = factory.SubFactory(StaffFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = PartnerRole.MANAGER


class AgreementFactory(DjangoModelFactory):
    """An agreement for a collection; give it terms with :class:`AgreementVersionFactory`."""

    class Meta:
        model = "partners.Agreement"

    code = factory.Sequence(lambda n: f"agreement-{n}")
    name_zh = factory.Sequence(lambda n: f"合作协议{n}")
    name_en = factory.Sequence(lambda n: f"Agreement {n}")
    collection = factory.SubFactory(CollectionFactory)


class AgreementVersionFactory(DjangoModelFactory):
    class Meta:
        model = "partners.AgreementVersion"

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: n + 1)
    valid_from = date(2020, 1, 1)
    logistics_fee = Decimal("0.00")


class AgreementPartyFactory(DjangoModelFactory):
    class Meta:
        model = "partners.AgreementParty"

    version = factory.SubFactory(AgreementVersionFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = "licensor"
    share_bp = 10000

"""Write the declared demo data into the database, touching only rows that differ.

Every row is found by its natural key (code, slug, SKU, e-mail), so running the
loaders again changes nothing. Stock is received through the stock service, once,
so each stock's quantity is always the sum of its movements.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.utils import translation

from catalog.models import (
    Collection,
    MovementReason,
    Product,
    ProductChannelListing,
    ProductImage,
    ProductVariant,
    Relic,
    Stock,
    Tag,
    VariantChannelPrice,
    Warehouse,
)
from catalog.search.models import SearchSynonym
from catalog.stock.movements import stock_change
from partners.models import Partner, PartnerMembership
from shop.accounts.models import User
from shop.channels.models import SalesChannel
from shop.channels.services import channel_api_key_issue, channel_create
from shop.demo.data import operations, products_classics, products_glory, products_wisdom
from shop.demo.data.pictures import demo_pictures_load
from shop.demo.data.records import DemoProduct
from shop.demo.data.stories import COLLECTIONS, PARTNERS, RELICS, SEARCH_SYNONYMS, TAGS

PRODUCTS: tuple[DemoProduct, ...] = (
    products_wisdom.PRODUCTS + products_classics.PRODUCTS + products_glory.PRODUCTS
)
DEMO_STOCK_REFERENCE = "demo-batch-1"

M = TypeVar("M", bound=Model)


@dataclass
class DemoReport:
    """What a run did, for the command to print."""

    rows: Counter[str] = field(default_factory=Counter)
    issued_keys: dict[str, str] = field(default_factory=dict)  # channel code -> new key
    channels_with_keys: list[str] = field(default_factory=list)
    search_text_refreshed: bool = False

    def count(self, model: type[Model], outcome: str, times: int = 1) -> None:
        self.rows[f"{_plural_in_english(model)} {outcome}"] += times


def _plural_in_english(model: type[Model]) -> str:
    """The model's plural name as the command's English report says it (the admin
    translates the same name for staff)."""
    with translation.override("en"):
        return str(model._meta.verbose_name_plural)


def _upsert(
    report: DemoReport, model: type[M], lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[M, bool]:
    """Create the row, or save it only when a declared value differs; True when created."""
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model._default_manager.create(**lookup, **values)
        report.count(model, "created")
        return instance, True
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed:
        instance.save()
    report.count(model, "updated" if changed else "unchanged")
    return instance, False


def demo_partners_load(report: DemoReport) -> dict[str, Partner]:
    partners = {}
    for item in PARTNERS:
        partners[item.code], _ = _upsert(
            report,
            Partner,
            {"code": item.code},
            {
                "name_zh": item.name_zh,
                "name_en": item.name_en,
                "legal_name": item.legal_name,
                "contact_email": item.contact_email,
                "is_active": True,
            },
        )
    return partners


def _search_text_refresher() -> Callable[[Product], Any] | None:
    """The catalog's search-text builder, when this version of the shop has one."""
    # Looked up rather than imported, so a broken search module still fails loudly.
    if importlib.util.find_spec("catalog.search") is None:
        return None
    module = importlib.import_module("catalog.search")
    return getattr(module, "product_search_text_refresh", None)


def demo_catalog_load(report: DemoReport) -> dict[str, Product]:
    """Collections, relics, tags, products with their variants and images."""
    collections = {}
    for collection in COLLECTIONS:
        collections[collection.slug], _ = _upsert(
            report,
            Collection,
            {"slug": collection.slug},
            {
                "name_zh": collection.name_zh,
                "name_en": collection.name_en,
                "description_zh": collection.description_zh,
                "description_en": collection.description_en,
                "position": collection.position,
                "is_active": True,
            },
        )
    relics = {}
    for relic in RELICS:
        relics[relic.slug], _ = _upsert(
            report,
            Relic,
            {"slug": relic.slug},
            {
                "name_zh": relic.name_zh,
                "name_en": relic.name_en,
                "period_zh": relic.period_zh,
                "period_en": relic.period_en,
                "museum_number": relic.museum_number,
                "story_zh": relic.story_zh,
                "story_en": relic.story_en,
            },
        )
    tags = {}
    for tag in TAGS:
        tags[tag.slug], _ = _upsert(
            report, Tag, {"slug": tag.slug}, {"name_zh": tag.name_zh, "name_en": tag.name_en}
        )

    for term, replacement in SEARCH_SYNONYMS:
        _upsert(report, SearchSynonym, {"term": term, "replacement": replacement}, {})
    refresh = _search_text_refresher()
    products = {}
    for item in PRODUCTS:
        product = _product_load(report, item, collections, relics, tags)
        if refresh is not None:
            refresh(product)
        products[item.slug] = product
    report.search_text_refreshed = refresh is not None
    return products


def _product_load(
    report: DemoReport,
    item: DemoProduct,
    collections: dict[str, Collection],
    relics: dict[str, Relic],
    tags: dict[str, Tag],
) -> Product:
    personalisation = item.personalisation
    product, _ = _upsert(
        report,
        Product,
        {"slug": item.slug},
        {
            "collection_id": collections[item.collection].pk,
            "relic_id": relics[item.relic].pk if item.relic else None,
            "name_zh": item.name_zh,
            "name_en": item.name_en,
            "description_zh": item.description_zh,
            "description_en": item.description_en,
            "is_active": True,
            "edition_size": item.edition_size,
            "purchase_limit": item.purchase_limit,
            "personalisation_enabled": personalisation is not None,
            "personalisation_label_zh": personalisation.label_zh if personalisation else "",
            "personalisation_label_en": personalisation.label_en if personalisation else "",
            "personalisation_max_length": personalisation.max_length if personalisation else None,
            "personalisation_charset": personalisation.charset if personalisation else "",
        },
    )
    wanted_tags = {tags[slug].pk for slug in item.tags}
    if set(product.tags.values_list("pk", flat=True)) != wanted_tags:
        product.tags.set(wanted_tags)

    for position, variant in enumerate(item.variants):
        _upsert(
            report,
            ProductVariant,
            {"sku": variant.sku},
            {
                "product_id": product.pk,
                "name_zh": variant.name_zh,
                "name_en": variant.name_en,
                "options": variant.options,
                "price": Decimal(variant.price),
                "weight_grams": variant.weight_grams,
                "position": position,
                "is_active": True,
            },
        )

    pictures = demo_pictures_load(item, product)
    for outcome in ("created", "updated", "unchanged"):
        if pictures[outcome]:
            report.count(ProductImage, outcome, pictures[outcome])
    if pictures["drawn"]:
        report.rows["pictures drawn"] += pictures["drawn"]
    return product


def demo_channels_load(report: DemoReport, partners: dict[str, Partner]) -> dict[str, SalesChannel]:
    """Create missing channels with a new storefront key; keys of existing ones stay as they are.

    Only the key's hash is stored, so a key can be shown only when it is issued.
    """
    channels = {}
    for item in operations.CHANNELS:
        values = {
            "name_zh": item.name_zh,
            "name_en": item.name_en,
            "kind": item.kind,
            "owner_id": partners[item.owner].pk,
            "commission_rate": Decimal(item.commission_rate),
            "is_public": item.is_public,
        }
        if not SalesChannel.objects.filter(code=item.code).exists():
            issued = channel_create(
                code=item.code,
                name_zh=item.name_zh,
                name_en=item.name_en,
                kind=item.kind,
                owner=partners[item.owner],
                commission_rate=Decimal(item.commission_rate),
                is_public=item.is_public,
            )
            report.count(SalesChannel, "created")
            report.issued_keys[item.code] = issued.key
            channels[item.code] = issued.channel
            continue
        channel, _ = _upsert(report, SalesChannel, {"code": item.code}, values)
        if channel.api_key_hash:
            report.channels_with_keys.append(item.code)
        else:
            report.issued_keys[item.code] = channel_api_key_issue(channel=channel).key
        channels[item.code] = channel
    return channels


def demo_listings_load(
    report: DemoReport, products: dict[str, Product], channels: dict[str, SalesChannel]
) -> None:
    """Publish products in their channels and set the channels' own prices."""
    for item in PRODUCTS:
        product = products[item.slug]
        for code in operations.CHANNELS_LISTING_EVERYTHING + item.extra_channels:
            _upsert(
                report,
                ProductChannelListing,
                {"product_id": product.pk, "channel_id": channels[code].pk},
                {"is_published": True, "available_from": None, "available_until": None},
            )
        for variant in item.variants:
            variant_id = ProductVariant.objects.values_list("pk", flat=True).get(sku=variant.sku)
            for code, price in variant.channel_prices.items():
                _upsert(
                    report,
                    VariantChannelPrice,
                    {"variant_id": variant_id, "channel_id": channels[code].pk},
                    {"price": Decimal(price)},
                )


def demo_stock_load(report: DemoReport, partners: dict[str, Partner]) -> dict[str, Warehouse]:
    """Warehouses, and one received production batch per stock row that has none yet."""
    warehouses = {}
    for item in operations.WAREHOUSES:
        warehouses[item.code], _ = _upsert(
            report,
            Warehouse,
            {"code": item.code},
            {
                "name_zh": item.name_zh,
                "name_en": item.name_en,
                "partner_id": partners[item.partner].pk,
                "province": item.province,
                "city": item.city,
                "district": item.district,
                "street": item.street,
                "postcode": item.postcode,
                "phone": item.phone,
                "email": item.email,
                "is_active": True,
            },
        )
    for product in PRODUCTS:
        for variant in product.variants:
            plan = variant.stock if variant.stock is not None else product.stock
            variant_id = ProductVariant.objects.values_list("pk", flat=True).get(sku=variant.sku)
            for code, quantity in plan.items():
                stock, created = Stock.objects.get_or_create(
                    variant_id=variant_id, warehouse=warehouses[code]
                )
                report.count(Stock, "created" if created else "unchanged")
                if quantity > 0 and (created or not stock.movements.exists()):
                    stock_change(
                        stock_id=stock.pk,
                        delta=quantity,
                        reason=MovementReason.RECEIPT,
                        reference=DEMO_STOCK_REFERENCE,
                        note="Demo data: first production batch.",
                    )
                    report.rows["units received"] += quantity
    return warehouses


def staff_group_load() -> Group:
    """The "Partner staff" group with exactly the admin permissions partner staff need."""
    group, _ = Group.objects.get_or_create(name=operations.STAFF_GROUP)
    wanted_permissions = set()
    for app_label, model, actions in operations.STAFF_GROUP_PERMISSIONS:
        for action in actions:
            wanted_permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                ).pk
            )
    if set(group.permissions.values_list("pk", flat=True)) != wanted_permissions:
        group.permissions.set(wanted_permissions)
    return group


def demo_users_load(report: DemoReport, partners: dict[str, Partner]) -> dict[str, User]:
    """The superuser, partner staff and viewers, and a shopper; passwords set only on creation."""
    staff_group_load()

    users = {}
    for item in operations.USERS:
        user, created = _upsert(
            report,
            User,
            {"email": item.email},
            {
                "first_name": item.first_name,
                "last_name": item.last_name,
                "is_staff": item.is_staff,
                "is_superuser": item.is_superuser,
                "is_active": True,
            },
        )
        if created:
            # A developer who changed a demo password keeps it on the next run.
            user.set_password(item.password)
            user.save(update_fields=["password"])
        wanted_groups = set(Group.objects.filter(name__in=item.groups).values_list("pk", flat=True))
        if set(user.groups.values_list("pk", flat=True)) != wanted_groups:
            user.groups.set(wanted_groups)
        if item.partner is not None:
            _upsert(
                report,
                PartnerMembership,
                {"user_id": user.pk},
                {"partner_id": partners[item.partner].pk, "role": item.role},
            )
        users[item.email] = user
    return users

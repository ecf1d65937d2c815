import json
import sys
import types
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import Sum

from catalog.models import (
    Collection,
    Product,
    ProductChannelListing,
    ProductImage,
    ProductVariant,
    Relic,
    Stock,
    StockMovement,
    Tag,
    VariantChannelPrice,
    Warehouse,
)
from partners.models import Partner, PartnerMembership
from shop.accounts.models import User
from shop.channels.models import SalesChannel
from shop.channels.services import channel_key_matches
from shop.demo.data.loaders import PRODUCTS
from shop.demo.data.operations import CHANNELS, CHANNELS_LISTING_EVERYTHING

pytestmark = pytest.mark.django_db

COUNTED = (
    Partner,
    Collection,
    Relic,
    Tag,
    Product,
    ProductVariant,
    ProductImage,
    SalesChannel,
    ProductChannelListing,
    VariantChannelPrice,
    Warehouse,
    Stock,
    StockMovement,
    User,
    PartnerMembership,
    Group,
)


def _load(tmp_path) -> str:
    out = StringIO()
    call_command("load_demo", keys_file=str(tmp_path / "keys.json"), no_orders=True, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _snapshot() -> dict:
    return {
        "stock": sorted(Stock.objects.values_list("pk", "quantity", "quantity_reserved")),
        "updated": sorted(Product.objects.values_list("pk", "updated_at")),
        "variants": sorted(ProductVariant.objects.values_list("sku", "price", "updated_at")),
        "passwords": sorted(User.objects.values_list("email", "password")),
        "keys": sorted(SalesChannel.objects.values_list("code", "api_key_hash")),
    }


def test_load_demo_creates_the_demo_shop(tmp_path):
    _load(tmp_path)

    assert _counts() == {
        "Partner": 2,
        "Collection": 3,
        "Relic": 10,
        "Tag": 8,
        "Product": 30,
        "ProductVariant": 43,
        "ProductImage": 38,
        "SalesChannel": 6,
        "ProductChannelListing": 117,
        "VariantChannelPrice": 2,
        "Warehouse": 2,
        "Stock": 73,
        # Every stock row but the three sold-out ones received one batch.
        "StockMovement": 70,
        "User": 6,
        "PartnerMembership": 4,
        "Group": 1,
    }
    assert ProductVariant.objects.count() == sum(len(p.variants) for p in PRODUCTS)
    assert set(Partner.objects.values_list("code", "name_zh")) == {
        ("museum", "恭王府博物馆"),
        ("media", "新京报"),
    }
    assert set(Collection.objects.values_list("name_en", "name_zh")) == {
        ("Blossoms of Wisdom", "智慧之花"),
        ("Echoes of Classics", "经典回响"),
        ("Fabrics of Glory", "锦绣华章"),
    }
    assert dict(Counter(Product.objects.values_list("collection__slug", flat=True))) == {
        "blossoms-of-wisdom": 10,
        "echoes-of-classics": 10,
        "fabrics-of-glory": 10,
    }
    assert all(
        p.name_zh and p.name_en and p.description_zh and p.description_en
        for p in (Product.objects.all())
    )
    assert all(r.story_zh and r.story_en and r.period_zh for r in Relic.objects.all())
    # The catalog search finds demo products by SKU.
    fan = Product.objects.get(slug="fu-folding-fan")
    assert "bw-fan-01-s" in fan.search_text.split()


def test_load_demo_limited_editions_and_the_personalisable_product(tmp_path):
    _load(tmp_path)

    limited = Product.objects.filter(edition_size__isnull=False).order_by("slug")
    assert list(limited.values_list("slug", "edition_size", "purchase_limit")) == [
        ("crabapple-kesi-round-fan", 500, 2),
        ("fu-stele-gilt-edition", 300, 2),
        ("opera-house-music-box", 200, 1),
        ("python-robe-miniature-screen", 100, 1),
    ]
    for product in limited:
        assert "limited" in set(product.tags.values_list("slug", flat=True))
        on_hand = Stock.objects.filter(variant__product=product).aggregate(n=Sum("quantity"))["n"]
        assert on_hand <= product.edition_size

    personalisable = Product.objects.get(personalisation_enabled=True)
    assert personalisable.slug == "engraved-name-seal"
    assert (
        personalisable.personalisation_label_zh,
        personalisable.personalisation_label_en,
        personalisable.personalisation_max_length,
        personalisable.personalisation_charset,
    ) == ("刻字", "Engraved name", 8, "han_latin")


def test_load_demo_channels_listings_and_prices(tmp_path):
    output = _load(tmp_path)

    channels = {c.code: c for c in SalesChannel.objects.select_related("owner")}
    assert {
        code: (c.kind, c.owner.code, c.commission_rate, c.is_public) for code, c in channels.items()
    } == {
        "museum-web": ("web_shop", "museum", Decimal("0.0000"), True),
        "museum-onsite": ("onsite_shop", "museum", Decimal("0.0000"), False),
        "media-web": ("partner_website", "media", Decimal("0.1000"), False),
        "media-app": ("partner_app", "media", Decimal("0.1000"), False),
        "media-social": ("social", "media", Decimal("0.1200"), False),
        "media-live": ("livestream", "media", Decimal("0.1500"), False),
    }
    saved = json.loads((tmp_path / "keys.json").read_text())
    assert set(saved) == set(channels)
    for code, key in saved.items():
        assert key in output
        assert channel_key_matches(channels[code], key)

    for code in CHANNELS_LISTING_EVERYTHING:
        assert (
            ProductChannelListing.objects.filter(channel__code=code, is_published=True).count()
            == 30
        )
    for code in ("museum-onsite", "media-app", "media-social", "media-live"):
        assert 0 < ProductChannelListing.objects.filter(channel__code=code).count() < 30
    assert sorted(
        VariantChannelPrice.objects.values_list("variant__sku", "channel__code", "price")
    ) == [
        ("BW-FAN-01-S", "media-app", Decimal("118.00")),
        ("EC-JAS-01-100", "media-app", Decimal("79.00")),
    ]
    # A channel price only makes sense where the product is listed.
    for price in VariantChannelPrice.objects.all():
        assert ProductChannelListing.objects.filter(
            product_id=price.variant.product_id, channel_id=price.channel_id
        ).exists()


def test_load_demo_stock_is_the_sum_of_its_movements(tmp_path):
    _load(tmp_path)

    assert set(Warehouse.objects.values_list("code", "partner__code", "name_zh")) == {
        ("museum-bj", "museum", "恭王府仓"),
        ("media-bj", "media", "新京报仓"),
    }
    assert not ProductVariant.objects.filter(stocks__isnull=True).exists()
    for stock in Stock.objects.all():
        moved = stock.movements.aggregate(n=Sum("quantity_delta"))["n"] or 0
        assert stock.quantity == moved
        assert stock.quantity_reserved == 0
    assert set(StockMovement.objects.values_list("reason", "reference")) == {
        ("receipt", "demo-batch-1")
    }
    assert sorted(
        Stock.objects.filter(quantity=0).values_list("variant__sku", "warehouse__code")
    ) == [
        ("FG-BRC-01", "media-bj"),
        ("FG-BRC-01", "museum-bj"),
        ("FG-SAC-01-GRN", "media-bj"),
    ]
    assert sorted(
        Stock.objects.filter(quantity__gt=0, quantity__lte=5).values_list(
            "variant__sku", "quantity"
        )
    ) == [
        ("BW-JIG-01", 4),
        ("BW-SCR-01-L", 3),
        ("EC-TEA-01", 2),
        ("FG-SAC-01-GRN", 3),
        ("FG-TOT-01-BLK", 2),
    ]


def test_load_demo_users_memberships_and_staff_permissions(tmp_path):
    _load(tmp_path)

    users = {u.email: u for u in User.objects.all()}
    assert {e: (u.is_staff, u.is_superuser) for e, u in users.items()} == {
        "admin@example.com": (True, True),
        "museum-staff@example.com": (True, False),
        "media-staff@example.com": (True, False),
        "museum-viewer@example.com": (False, False),
        "media-viewer@example.com": (False, False),
        "shopper@example.com": (False, False),
    }
    assert users["admin@example.com"].check_password("demo-admin-pass")
    assert users["museum-staff@example.com"].check_password("demo-staff-pass")
    assert users["media-viewer@example.com"].check_password("demo-viewer-pass")
    assert users["shopper@example.com"].check_password("demo-shopper-pass")
    assert set(PartnerMembership.objects.values_list("user__email", "partner__code", "role")) == {
        ("museum-staff@example.com", "museum", "manager"),
        ("media-staff@example.com", "media", "manager"),
        ("museum-viewer@example.com", "museum", "viewer"),
        ("media-viewer@example.com", "media", "viewer"),
    }
    staff = users["museum-staff@example.com"]
    assert list(staff.groups.values_list("name", flat=True)) == ["Partner staff"]
    assert staff.has_perms(["catalog.change_product", "catalog.view_stockmovement"])
    assert not staff.has_perm("catalog.change_stockmovement")
    assert not staff.has_perm("catalog.delete_product")
    assert not users["museum-viewer@example.com"].groups.exists()


def test_load_demo_twice_changes_nothing(tmp_path):
    _load(tmp_path)
    counts, snapshot = _counts(), _snapshot()
    keys_before = (tmp_path / "keys.json").read_text()

    output = _load(tmp_path)

    assert _counts() == counts
    assert _snapshot() == snapshot
    assert (tmp_path / "keys.json").read_text() == keys_before
    assert "Storefront keys already exist for" in output
    assert "chk_" not in output
    assert " created: " not in output


def test_load_demo_restores_edited_demo_rows_without_new_stock(tmp_path):
    _load(tmp_path)
    Product.objects.filter(slug="fu-folding-fan").update(name_en="Renamed")
    ProductVariant.objects.filter(sku="BW-FAN-01-S").update(price=Decimal("1.00"))
    movements = StockMovement.objects.count()

    output = _load(tmp_path)

    assert Product.objects.get(slug="fu-folding-fan").name_en == "Fu Folding Fan"
    assert ProductVariant.objects.get(sku="BW-FAN-01-S").price == Decimal("128.00")
    assert StockMovement.objects.count() == movements
    assert "products updated: 1" in output


def test_load_demo_refreshes_search_text_when_the_catalog_has_it(tmp_path, monkeypatch):
    refreshed = []
    module = types.ModuleType("catalog.search")
    module.product_search_text_refresh = refreshed.append  # type: ignore[attr-defined]
    module.__spec__ = types.SimpleNamespace(name="catalog.search")  # type: ignore[assignment]
    monkeypatch.setitem(sys.modules, "catalog.search", module)

    _load(tmp_path)

    assert sorted(p.slug for p in refreshed) == sorted(p.slug for p in PRODUCTS)


def test_demo_data_is_consistent():
    channel_codes = {c.code for c in CHANNELS}
    skus = [v.sku for p in PRODUCTS for v in p.variants]
    assert len(skus) == len(set(skus))
    assert len({p.slug for p in PRODUCTS}) == len(PRODUCTS)
    for product in PRODUCTS:
        assert 1 <= len(product.variants) <= 3
        assert 1 <= product.image_count <= 2
        assert set(product.extra_channels) <= channel_codes - set(CHANNELS_LISTING_EVERYTHING)
        for variant in product.variants:
            assert Decimal(variant.price) == Decimal(variant.price).quantize(Decimal("0.01"))
            assert set(variant.channel_prices) <= set(product.extra_channels) | set(
                CHANNELS_LISTING_EVERYTHING
            )

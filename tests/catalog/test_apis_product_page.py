"""The public product page: its shape, languages, channel prices and availability."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Stock
from tests.catalog.public_api import (
    PRODUCTS,
    api_get,
    front_picture,
    side_picture,
    vary,
)
from tests.factories import (
    ProductChannelListingFactory,
    VariantChannelPriceFactory,
)
from tests.factories import (
    product_with_variant as make_product,
)

pytestmark = pytest.mark.django_db


# Product detail


def test_product_detail_shape_in_english(seal):
    response = api_get(f"{PRODUCTS}study-seal/", {"lang": "en"})

    assert response.status_code == 200
    assert response.json() == {
        "slug": "study-seal",
        "name": "Study Seal",
        "collection": {"slug": "blossoms", "name": "Blossoms of Wisdom"},
        "tags": [{"slug": "gift", "name": "Gift"}],
        "image": front_picture("Front"),
        "price_from": "128.00",
        "currency": "CNY",
        "availability": "in_stock",
        "is_limited_edition": True,
        "description": "Hand-carved",
        "relic": {
            "slug": "study-seal",
            "name": "The Study Seal",
            "period": "Qing dynasty",
            "museum_number": "GWF-0310",
            "story": "Green jade.",
            "image_url": "https://img.example.com/relics/seal.jpg",
        },
        "images": [front_picture("Front"), side_picture("侧面")],
        "variants": [
            {
                "sku": "SEAL-S",
                "name": "Small",
                "options": {"size": "S"},
                "price": "128.00",
                "currency": "CNY",
                "availability": "in_stock",
            },
            {
                "sku": "SEAL-L",
                "name": "Large",
                "options": {"size": "L"},
                "price": "168.00",
                "currency": "CNY",
                "availability": "low",
            },
        ],
        "limited_edition": {"edition_size": 300, "purchase_limit": 2},
        "personalisation": {
            "enabled": True,
            "label": "Name to engrave",
            "max_length": 4,
            "charset": "han",
        },
    }
    assert response["Content-Language"] == "en"
    assert vary(response) >= {"accept-language", "x-channel-key"}
    assert response["Cache-Control"] == "public, max-age=30"


def test_product_detail_in_chinese(seal):
    body = api_get(f"{PRODUCTS}study-seal/").json()

    assert (body["name"], body["description"]) == ("书斋印章", "手工刻制")
    assert body["relic"]["name"] == "书斋闲章"
    assert body["relic"]["period"] == "清"
    assert body["relic"]["story"] == "青玉质地。"
    assert [v["name"] for v in body["variants"]] == ["小号", "大号"]
    assert body["personalisation"]["label"] == "刻字内容"
    assert [image["alt"] for image in body["images"]] == ["正面", "侧面"]


def test_product_detail_without_relic_collection_or_extras():
    product = make_product(slug="plain", collection=None, relic=None)

    body = api_get(f"{PRODUCTS}{product.slug}/").json()

    assert body["collection"] is None
    assert body["relic"] is None
    assert body["image"] is None
    assert body["images"] == []
    assert body["is_limited_edition"] is False
    assert body["limited_edition"] == {"edition_size": None, "purchase_limit": None}
    assert body["personalisation"] == {
        "enabled": False,
        "label": "",
        "max_length": None,
        "charset": "",
    }
    assert body["availability"] == "sold_out"
    assert [v["availability"] for v in body["variants"]] == ["sold_out"]


def test_product_detail_in_a_channel_uses_the_channel_price(channel, seal):
    small = seal.variants.get(sku="SEAL-S")
    VariantChannelPriceFactory(variant=small, channel=channel, price=Decimal("99.50"))
    ProductChannelListingFactory(product=seal, channel=channel)

    in_channel = api_get(f"{PRODUCTS}study-seal/", {"channel": "museum-web"}).json()
    browsing = api_get(f"{PRODUCTS}study-seal/").json()

    assert [(v["sku"], v["price"]) for v in in_channel["variants"]] == [
        ("SEAL-S", "99.50"),
        ("SEAL-L", "168.00"),
    ]
    assert in_channel["price_from"] == "99.50"
    assert [(v["sku"], v["price"]) for v in browsing["variants"]] == [
        ("SEAL-S", "128.00"),
        ("SEAL-L", "168.00"),
    ]


def test_product_detail_variant_availability_never_shows_counts(seal):
    large = seal.variants.get(sku="SEAL-L")
    Stock.objects.filter(variant=large).update(quantity=3, quantity_reserved=3)

    body = api_get(f"{PRODUCTS}study-seal/").json()

    assert [(v["sku"], v["availability"]) for v in body["variants"]] == [
        ("SEAL-S", "in_stock"),
        ("SEAL-L", "sold_out"),
    ]
    assert "quantity" not in str(body)


@pytest.mark.parametrize("slug", ["missing", "retired", "not-yet", "elsewhere"])
def test_product_detail_not_found_in_the_error_shape(channel, slug):
    make_product(slug="retired", is_active=False)
    ProductChannelListingFactory(
        product=make_product(slug="not-yet"),
        channel=channel,
        available_from=timezone.now() + datetime.timedelta(days=1),
    )
    make_product(slug="elsewhere")

    english = api_get(f"{PRODUCTS}{slug}/", {"channel": "museum-web", "lang": "en"})
    chinese = api_get(f"{PRODUCTS}{slug}/", {"channel": "museum-web"})

    assert (english.status_code, chinese.status_code) == (404, 404)
    assert english.json() == {
        "code": "product_not_found",
        "message": "No such product is on sale here.",
        "fields": {},
    }
    assert chinese.json() == {
        "code": "product_not_found",
        "message": "该商品不存在或未在此处销售。",
        "fields": {},
    }

"""The public product list: its shape, languages, filters, channels and stock levels."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Product
from catalog.search import product_search_text_refresh
from shop.channels.services import channel_api_key_issue
from tests.catalog.public_api import (
    PRODUCTS,
    api_get,
    front_picture,
    result_slugs,
)
from tests.factories import (
    CollectionFactory,
    ProductChannelListingFactory,
    ProductFactory,
    ProductVariantFactory,
    SalesChannelFactory,
    TagFactory,
    VariantChannelPriceFactory,
)
from tests.factories import (
    product_with_variant as make_product,
)

pytestmark = pytest.mark.django_db


# Product list


def test_product_list_item_shape(seal):
    response = api_get(PRODUCTS, {"lang": "en"})

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "slug": "study-seal",
                "name": "Study Seal",
                "collection": {"slug": "blossoms", "name": "Blossoms of Wisdom"},
                "tags": [{"slug": "gift", "name": "Gift"}],
                "image": front_picture("Front"),
                "price_from": "128.00",
                "currency": "CNY",
                "availability": "in_stock",
                "is_limited_edition": True,
            }
        ],
        "did_you_mean": None,
        "count_capped": False,
        "next_cursor": None,
        "previous_cursor": None,
    }


def test_product_list_in_chinese_from_accept_language(seal):
    response = api_get(PRODUCTS, HTTP_ACCEPT_LANGUAGE="en;q=0.5, zh-CN;q=0.9")

    item = response.json()["results"][0]
    assert (item["name"], item["collection"]["name"], item["tags"][0]["name"]) == (
        "书斋印章",
        "智慧之花",
        "礼物",
    )
    assert response["Content-Language"] == "zh-Hans"


def test_product_list_hides_inactive_products_and_those_without_active_variants():
    make_product(slug="shown")
    make_product(slug="retired", is_active=False)
    ProductVariantFactory(product=ProductFactory(slug="no-variant-on-sale"), is_active=False)

    assert result_slugs(api_get(PRODUCTS)) == ["shown"]


def test_product_list_paginates():
    for index in range(5):
        make_product(slug=f"product-{index}")

    response = api_get(PRODUCTS, {"page_size": 2, "page": 2})

    body = response.json()
    assert body["count"] == 5
    assert [item["slug"] for item in body["results"]] == ["product-2", "product-3"]
    assert body["next"] == "http://testserver/api/v1/products/?page=3&page_size=2"
    assert body["previous"] == "http://testserver/api/v1/products/?page_size=2"


def test_product_list_page_past_the_end_is_not_found():
    make_product()

    response = api_get(PRODUCTS, {"page": 2, "lang": "en"})

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Invalid page.", "fields": {}}


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"page": "0"}, {"page": ["Ensure this value is greater than or equal to 1."]}),
        ({"page": "last"}, {"page": ["A valid integer is required."]}),
        (
            {"page": "10000000000000000000"},
            {"page": ["Ensure this value is less than or equal to 10000."]},
        ),
        (
            {"page_size": "1000"},
            {"page_size": ["Ensure this value is less than or equal to 100."]},
        ),
        ({"page_size": "0"}, {"page_size": ["Ensure this value is greater than or equal to 1."]}),
        ({"price_min": "abc"}, {"price_min": ["Enter a number."]}),
        (
            {"price_max": "1e400"},
            {
                "price_max": [
                    "Ensure this value is less than or equal to 9999999999.99.",
                    "Ensure that there are no more than 12 digits in total.",
                ]
            },
        ),
        (
            {"ordering": "bogus"},
            {"ordering": ["Select a valid choice. bogus is not one of the available choices."]},
        ),
        (
            {"in_stock": "yes"},
            {"in_stock": ["Select a valid choice. yes is not one of the available choices."]},
        ),
        (
            {"page": "0", "price_min": "abc", "in_stock": "yes"},
            {
                "page": ["Ensure this value is greater than or equal to 1."],
                "price_min": ["Enter a number."],
                "in_stock": ["Select a valid choice. yes is not one of the available choices."],
            },
        ),
    ],
)
def test_product_list_bad_values_answer_400_in_the_error_shape(params, fields):
    make_product()

    response = api_get(PRODUCTS, {**params, "lang": "en"})

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Some fields are not valid.",
        "fields": fields,
    }
    assert "ETag" not in response


def test_product_list_validation_messages_follow_the_language():
    response = api_get(PRODUCTS, {"price_min": "abc", "lang": "zh"})

    assert response.status_code == 400
    assert response.json()["fields"] == {"price_min": ["输入一个数字。"]}


def test_product_list_filters_by_collection_tag_price_and_stock():
    blossoms = CollectionFactory(slug="blossoms")
    cheap = make_product(slug="cheap", price="20.00", quantity=3, collection=blossoms)
    cheap.tags.add(TagFactory(slug="gift"))
    make_product(slug="middle", price="50.00", collection=blossoms)
    make_product(slug="dear", price="300.00", quantity=1)

    assert result_slugs(api_get(PRODUCTS, {"collection": "blossoms"})) == ["cheap", "middle"]
    assert result_slugs(api_get(PRODUCTS, {"tag": "gift"})) == ["cheap"]
    assert result_slugs(api_get(PRODUCTS, {"price_min": "21", "price_max": "300"})) == [
        "dear",
        "middle",
    ]
    assert result_slugs(api_get(PRODUCTS, {"in_stock": "true"})) == ["cheap", "dear"]
    assert result_slugs(api_get(PRODUCTS, {"in_stock": "false"})) == ["middle"]
    assert result_slugs(api_get(PRODUCTS, {"ordering": "-price"})) == ["dear", "middle", "cheap"]
    assert result_slugs(api_get(PRODUCTS, {"collection": "blossoms", "in_stock": "true"})) == [
        "cheap"
    ]


def test_product_list_search_in_chinese_and_english():
    fan = make_product(slug="fan", name_zh="福字折扇", name_en="Fu Folding Fan")
    fan.tags.add(TagFactory(slug="summer", name_zh="夏日", name_en="Summer"))
    make_product(slug="notebook", name_zh="海棠手账本", name_en="Crabapple Notebook")
    for product in Product.objects.all():  # the search reads the refreshed search text
        product_search_text_refresh(product)

    assert result_slugs(api_get(PRODUCTS, {"q": "折扇"})) == ["fan"]
    assert result_slugs(api_get(PRODUCTS, {"q": "FOLDING fan"})) == ["fan"]
    assert result_slugs(api_get(PRODUCTS, {"q": "夏日"})) == ["fan"]
    assert result_slugs(api_get(PRODUCTS, {"q": "海棠"})) == ["notebook"]
    assert result_slugs(api_get(PRODUCTS, {"q": "crabapple"})) == ["notebook"]
    assert result_slugs(api_get(PRODUCTS, {"q": "丝巾"})) == []


def test_product_list_in_a_channel_shows_only_what_is_published_there_now(channel):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    ProductChannelListingFactory(product=make_product(slug="open"), channel=channel)
    ProductChannelListingFactory(
        product=make_product(slug="window"),
        channel=channel,
        available_from=now - hour,
        available_until=now + hour,
    )
    ProductChannelListingFactory(
        product=make_product(slug="unpublished"), channel=channel, is_published=False
    )
    ProductChannelListingFactory(
        product=make_product(slug="not-yet"), channel=channel, available_from=now + hour
    )
    ProductChannelListingFactory(
        product=make_product(slug="ended"), channel=channel, available_until=now - hour
    )
    ProductChannelListingFactory(product=make_product(slug="elsewhere"))
    make_product(slug="unlisted")

    assert result_slugs(api_get(PRODUCTS, {"channel": "museum-web"})) == ["open", "window"]
    assert len(result_slugs(api_get(PRODUCTS))) == 7


def test_product_list_with_a_channel_key_uses_that_channel_and_its_prices():
    private = SalesChannelFactory(code="news-app", is_public=False)
    key = channel_api_key_issue(channel=private).key
    product = ProductFactory(slug="scarf")
    variant = ProductVariantFactory(product=product, price=Decimal("199.00"))
    ProductVariantFactory(product=product, price=Decimal("219.00"))
    VariantChannelPriceFactory(variant=variant, channel=private, price=Decimal("179.00"))
    ProductChannelListingFactory(product=product, channel=private)
    make_product(slug="not-in-app")

    response = api_get(PRODUCTS, HTTP_X_CHANNEL_KEY=key)

    assert [(item["slug"], item["price_from"]) for item in response.json()["results"]] == [
        ("scarf", "179.00")
    ]
    browsing = api_get(PRODUCTS)
    assert [(item["slug"], item["price_from"]) for item in browsing.json()["results"]] == [
        ("not-in-app", "99.00"),
        ("scarf", "199.00"),
    ]
    assert result_slugs(api_get(PRODUCTS, {"price_max": "180"}, HTTP_X_CHANNEL_KEY=key)) == [
        "scarf"
    ]
    assert result_slugs(api_get(PRODUCTS, {"price_max": "180"})) == ["not-in-app"]


@pytest.mark.parametrize(
    ("params", "headers", "status", "code"),
    [
        ({"channel": "nowhere"}, {}, 404, "channel_not_found"),
        ({"channel": "news-app"}, {}, 401, "channel_key_required"),
        ({}, {"HTTP_X_CHANNEL_KEY": "chk_nope_nope"}, 401, "invalid_channel_key"),
        ({"channel": "closed"}, {}, 403, "channel_inactive"),
    ],
)
def test_product_endpoints_refuse_a_bad_channel(params, headers, status, code):
    SalesChannelFactory(code="news-app", is_public=False)
    SalesChannelFactory(code="closed", is_active=False)
    product = make_product(slug="fan")

    for url in [PRODUCTS, f"{PRODUCTS}{product.slug}/"]:
        response = api_get(url, params, **headers)
        assert response.status_code == status
        assert response.json()["code"] == code
        assert set(response.json()) == {"code", "message", "fields"}


def test_product_endpoints_refuse_a_nul_character_before_reading_the_channel():
    make_product(slug="fan")

    for url in [PRODUCTS, f"{PRODUCTS}fan/"]:
        response = api_get(url, {"channel": "\x00", "lang": "en"})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_character"


@pytest.mark.parametrize("code", ["two words", "x" * 41])
def test_product_endpoints_refuse_a_value_that_is_no_channel_code(code):
    make_product(slug="fan")

    for url in [PRODUCTS, f"{PRODUCTS}fan/"]:
        response = api_get(url, {"channel": code, "lang": "en"})
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": "Some fields are not valid.",
            "fields": {"channel": ["Enter a channel code (letters, digits, - or _)."]},
        }


def test_product_list_availability_levels():
    make_product(slug="plenty", quantity=6)
    make_product(slug="few", quantity=5)
    make_product(slug="none")

    response = api_get(PRODUCTS)

    assert [(item["slug"], item["availability"]) for item in response.json()["results"]] == [
        ("few", "low"),
        ("none", "sold_out"),
        ("plenty", "in_stock"),
    ]


def test_a_list_counts_up_to_its_cap_and_its_pages_still_reach_every_product(monkeypatch):
    for index in range(8):
        make_product(slug=f"p-{index}")
    monkeypatch.setattr("catalog.selectors.LIST_COUNT_MAX", 5)

    first = api_get(PRODUCTS, {"page_size": 2})
    assert (first.json()["count"], first.json()["count_capped"]) == (5, True)
    assert first.json()["next"] is not None
    # Page 3 counts through page 4, the last: every product, so the count is exact again.
    third = api_get(PRODUCTS, {"page_size": 2, "page": 3})
    assert (third.json()["count"], third.json()["count_capped"]) == (8, False)
    assert result_slugs(third) == ["p-4", "p-5"]
    last = api_get(PRODUCTS, {"page_size": 2, "page": 4})
    assert (last.json()["count"], last.json()["next"]) == (8, None)
    assert result_slugs(last) == ["p-6", "p-7"]
    assert api_get(PRODUCTS, {"page_size": 2, "page": 5}).status_code == 404

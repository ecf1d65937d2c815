from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from catalog.models import PersonalisationCharset, Product, ProductImage, Stock
from shop.channels.services import channel_api_key_issue
from tests.factories import (
    CollectionFactory,
    ProductChannelListingFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
    RelicFactory,
    SalesChannelFactory,
    StockFactory,
    TagFactory,
    VariantChannelPriceFactory,
)
from tests.factories import (
    catalog_listed_in as make_catalog,
)
from tests.factories import (
    product_with_variant as make_product,
)

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
COLLECTIONS = "/api/v1/collections/"


def api_get(url: str, params: dict | None = None, **headers):
    return APIClient().get(url, params or {}, **headers)


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response["Vary"].split(",")}


def result_slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def front_picture(alt: str) -> dict:
    """The seal's first picture as the API gives it: 1600 x 1000, a JPEG."""
    picture = ProductImage.objects.get(product__slug="study-seal", position=1)
    return {
        "url": "/media/products/study-seal/seal-front.jpg",
        "width": 1600,
        "height": 1000,
        "alt": alt,
        "thumbnail": {"url": picture.thumbnail.url, "width": 320, "height": 200},
        "large": {"url": picture.large.url, "width": 1200, "height": 750},
    }


def side_picture(alt: str) -> dict:
    """The seal's second picture: 900 x 1200, a PNG, smaller than the large size."""
    picture = ProductImage.objects.get(product__slug="study-seal", position=2)
    return {
        "url": "/media/products/study-seal/seal-side.png",
        "width": 900,
        "height": 1200,
        "alt": alt,
        "thumbnail": {"url": picture.thumbnail.url, "width": 240, "height": 320},
        "large": {"url": picture.large.url, "width": 900, "height": 1200},
    }


@pytest.fixture
def channel(db):
    return SalesChannelFactory(code="museum-web", is_public=True)


@pytest.fixture
def seal(db, media_root):
    """A personalised limited edition with two variants, stocked, in a collection and a tag."""
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
    return product


# Collections


def test_collection_list_in_chinese_by_default_and_english_on_request():
    CollectionFactory(slug="fabrics", name_zh="锦绣华章", name_en="Fabrics of Glory", position=2)
    CollectionFactory(
        slug="blossoms", name_zh="智慧之花", name_en="", description_zh="文房", position=1
    )
    CollectionFactory(slug="retired", is_active=False)

    chinese = api_get(COLLECTIONS)
    english = api_get(COLLECTIONS, {"lang": "en"})

    assert chinese.status_code == english.status_code == 200
    assert chinese.json() == [
        {"slug": "blossoms", "name": "智慧之花", "description": "文房"},
        {"slug": "fabrics", "name": "锦绣华章", "description": ""},
    ]
    # An English text that is missing falls back to the Chinese one.
    assert english.json() == [
        {"slug": "blossoms", "name": "智慧之花", "description": "文房"},
        {"slug": "fabrics", "name": "Fabrics of Glory", "description": ""},
    ]
    assert chinese["Content-Language"] == "zh-Hans"
    assert english["Content-Language"] == "en"
    assert chinese["Cache-Control"] == "public, max-age=30"
    assert vary(chinese) >= {"accept-language", "x-channel-key"}
    assert chinese["ETag"].startswith('W/"')
    assert chinese["ETag"] != english["ETag"]


def test_collection_detail_and_its_not_found():
    CollectionFactory(slug="fabrics", name_en="Fabrics of Glory", description_en="Silks")
    CollectionFactory(slug="retired", is_active=False)

    response = api_get(f"{COLLECTIONS}fabrics/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 200
    assert response.json() == {
        "slug": "fabrics",
        "name": "Fabrics of Glory",
        "description": "Silks",
    }
    assert response["Content-Language"] == "en"

    for slug in ["retired", "missing"]:
        missing = api_get(f"{COLLECTIONS}{slug}/", {"lang": "en"})
        assert missing.status_code == 404
        assert missing.json() == {
            "code": "collection_not_found",
            "message": "No such collection.",
            "fields": {},
        }


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


# ETags


@pytest.mark.parametrize("url", [PRODUCTS, f"{PRODUCTS}study-seal/", COLLECTIONS])
def test_etag_gives_304_until_the_answer_changes(seal, url):
    first = api_get(url)
    etag = first["ETag"]

    again = api_get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "public, max-age=30"
    assert vary(again) >= {"accept-language", "x-channel-key"}

    strong = etag.removeprefix("W/")
    assert api_get(url, HTTP_IF_NONE_MATCH=f'"other", {strong}').status_code == 304
    assert api_get(url, HTTP_IF_NONE_MATCH="*").status_code == 304
    assert api_get(url, HTTP_IF_NONE_MATCH='W/"other"').status_code == 200
    assert api_get(url, {"lang": "en"}, HTTP_IF_NONE_MATCH=etag).status_code == 200

    Product.objects.filter(pk=seal.pk).update(name_zh="书斋印章新版")
    seal.collection.__class__.objects.filter(pk=seal.collection_id).update(name_zh="新系列")
    changed = api_get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_etag_changes_when_stock_level_changes(seal):
    url = f"{PRODUCTS}study-seal/"
    etag = api_get(url)["ETag"]

    Stock.objects.filter(variant__sku="SEAL-L").update(quantity=10)

    response = api_get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["variants"][1]["availability"] == "in_stock"


# Query counts


@pytest.mark.parametrize("page_size", [2, 50])
def test_product_list_queries_do_not_grow_with_the_page(
    channel, django_assert_num_queries, page_size
):
    make_catalog(50, channel)

    # count, page, tags, images
    with django_assert_num_queries(4):
        response = api_get(PRODUCTS, {"page_size": page_size, "q": "product", "in_stock": "true"})
    assert len(response.json()["results"]) == min(page_size, 42)

    # the channel, count, page, tags, images
    with django_assert_num_queries(5):
        response = api_get(PRODUCTS, {"page_size": page_size, "channel": "museum-web"})
    assert len(response.json()["results"]) == page_size
    assert {item["price_from"] for item in response.json()["results"]} == {"45.00"}


@pytest.mark.parametrize(
    "params",
    [
        {"page": "4"},
        {"in_stock": "true", "price_min": "40", "ordering": "price", "page": "2"},
        {"tag": "tag-1", "ordering": "-price"},
        {"q": "sku-0"},
        {"q": "产品 product", "ordering": "newest"},
        {"q": "产"},
    ],
)
def test_product_list_queries_do_not_grow_with_deep_pages_filters_or_search(
    channel, django_assert_num_queries, params
):
    make_catalog(50, channel)

    # the channel, count, page, tags, images
    with django_assert_num_queries(5):
        response = api_get(PRODUCTS, {"channel": "museum-web", "page_size": 10, **params})
    assert response.status_code == 200, response.content
    assert response.json()["results"]


@pytest.mark.parametrize("variants", [1, 20])
def test_product_detail_queries_do_not_grow_with_variants(
    channel, django_assert_num_queries, variants
):
    product = ProductFactory(slug="many")
    for index in range(variants):
        variant = ProductVariantFactory(product=product, position=index)
        StockFactory(variant=variant, quantity=index)
        ProductImageFactory(product=product, position=index)
        product.tags.add(TagFactory(slug=f"tag-{index}"))
    ProductChannelListingFactory(product=product, channel=channel)

    # the channel, product, variants, tags, images
    with django_assert_num_queries(5):
        response = api_get(f"{PRODUCTS}many/", {"channel": "museum-web"})
    assert len(response.json()["variants"]) == variants


# API documentation


def test_schema_documents_every_catalog_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]

    expected = {
        # 400: a NUL character in the URL, refused before any view (every operation).
        "/api/v1/collections/": ("catalog_collection_list", {"200", "304", "400"}),
        "/api/v1/collections/{slug}/": ("catalog_collection_get", {"200", "304", "400", "404"}),
        "/api/v1/products/": (
            "catalog_product_list",
            {"200", "304", "400", "401", "403", "404"},
        ),
        "/api/v1/products/{slug}/": (
            "catalog_product_get",
            {"200", "304", "400", "401", "403", "404"},
        ),
    }
    for path, (operation_id, responses) in expected.items():
        operation = paths[path]["get"]
        assert operation["operationId"] == operation_id
        assert set(operation["responses"]) == responses
    list_parameters = {p["name"] for p in paths["/api/v1/products/"]["get"]["parameters"]}
    assert list_parameters == {
        "lang",
        "Accept-Language",
        "If-None-Match",
        "channel",
        "X-Channel-Key",
        "page",
        "page_size",
        "collection",
        "tag",
        "price_min",
        "price_max",
        "in_stock",
        "q",
        "ordering",
    }

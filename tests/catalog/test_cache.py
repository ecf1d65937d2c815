"""The public catalog's answers kept in Redis: served again without SQL, thrown away when
what they show changes (see catalog/cache.py for the rule)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
import redis
from rest_framework.test import APIClient

from catalog import cache as catalog_cache
from catalog.cache import catalog_version
from catalog.models import Product, ProductVariant, Stock
from catalog.stock.holds import stock_reserve
from catalog.stock.services import stock_adjust, stock_low_threshold_set
from tests.factories import (
    ProductChannelListingFactory,
    ProductFactory,
    ProductVariantFactory,
    SalesChannelFactory,
    StaffFactory,
    StockFactory,
    TagFactory,
    VariantChannelPriceFactory,
    WarehouseFactory,
    stock_with_units,
)

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.CATALOG_CACHE_SECONDS = 60


@pytest.fixture
def vase(db):
    product = ProductFactory(slug="vase", name_zh="花瓶", name_en="Vase")
    variant = ProductVariantFactory(product=product, sku="VASE-1", price=Decimal("88.00"))
    stock = stock_with_units(variant=variant, quantity=20)
    channel = SalesChannelFactory(code="museum-web", is_public=True)
    ProductChannelListingFactory(product=product, channel=channel)
    return stock


def get(url: str, params: dict | None = None, **headers):
    response = APIClient().get(url, params or {}, **headers)
    return response


def committed(django_capture_on_commit_callbacks, change) -> None:
    """Run ``change`` and its on-commit callbacks, as a committed transaction would."""
    with django_capture_on_commit_callbacks(execute=True):
        change()


@pytest.mark.parametrize("url", [PRODUCTS, f"{PRODUCTS}vase/"])
def test_a_kept_answer_is_served_again_without_sql(vase, url, django_assert_num_queries):
    first = get(url, {"channel": "museum-web"})
    assert first.status_code == 200

    with django_assert_num_queries(0):
        again = get(url, {"channel": "museum-web"})

    assert again.status_code == 200
    assert again.content == first.content
    for header in ("ETag", "Cache-Control", "Content-Language", "Vary", "Content-Type"):
        assert again[header] == first[header]


def test_a_kept_answer_still_answers_304_to_its_etag(vase, django_assert_num_queries):
    etag = get(PRODUCTS)["ETag"]

    with django_assert_num_queries(0):
        response = get(PRODUCTS, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=30"


def test_language_page_query_and_channel_key_each_have_their_own_answer(vase):
    chinese = get(f"{PRODUCTS}vase/")
    english = get(f"{PRODUCTS}vase/", HTTP_ACCEPT_LANGUAGE="en")
    assert (chinese.json()["name"], english.json()["name"]) == ("花瓶", "Vase")
    assert english["Content-Language"] == "en"

    page_one = get(PRODUCTS, {"page_size": 1, "page": 1})
    ProductFactory(slug="aaa")  # not on show (no variant): the count stays 1
    assert get(PRODUCTS, {"page": 1, "page_size": 1}).content == page_one.content
    assert get(PRODUCTS, {"page_size": 1, "page": 2}).status_code == 404

    bad_key = get(PRODUCTS, HTTP_X_CHANNEL_KEY="ck_nope_nope")
    assert bad_key.status_code == 401


def test_errors_are_not_kept(vase):
    version = catalog_version()
    assert get(f"{PRODUCTS}missing/").status_code == 404
    assert get(PRODUCTS, {"price_min": "x"}).status_code == 400

    # Created without a commit, so the version stays: only a kept 404 could hide it.
    ProductVariantFactory(product=ProductFactory(slug="missing"))

    assert catalog_version() == version
    assert get(f"{PRODUCTS}missing/").status_code == 200


def test_saving_a_product_text_shows_at_once(vase, django_capture_on_commit_callbacks):
    url = f"{PRODUCTS}vase/"
    etag = get(url)["ETag"]

    def rename():
        product = Product.objects.get(slug="vase")
        product.name_zh = "新花瓶"
        product.save()

    committed(django_capture_on_commit_callbacks, rename)

    response = get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["name"] == "新花瓶"


def test_a_new_price_and_a_channel_price_show_at_once(vase, django_capture_on_commit_callbacks):
    assert get(PRODUCTS).json()["results"][0]["price_from"] == "88.00"
    assert get(PRODUCTS, {"channel": "museum-web"}).json()["results"][0]["price_from"] == "88.00"

    def reprice():
        variant = ProductVariant.objects.get(sku="VASE-1")
        variant.price = Decimal("99.00")
        variant.save()

    committed(django_capture_on_commit_callbacks, reprice)
    assert get(PRODUCTS).json()["results"][0]["price_from"] == "99.00"

    def channel_price():
        VariantChannelPriceFactory(
            variant=vase.variant, channel=vase.variant.product.channel_listings.get().channel
        )

    committed(django_capture_on_commit_callbacks, channel_price)
    assert get(PRODUCTS, {"channel": "museum-web"}).json()["results"][0]["price_from"] == "89.00"


def test_tagging_a_product_shows_at_once(vase, django_capture_on_commit_callbacks):
    assert get(PRODUCTS, {"tag": "gift"}).json()["count"] == 0
    tag = TagFactory(slug="gift")

    committed(django_capture_on_commit_callbacks, lambda: vase.variant.product.tags.add(tag))

    assert get(PRODUCTS, {"tag": "gift"}).json()["count"] == 1


def test_staff_stock_changes_and_thresholds_show_at_once(vase, django_capture_on_commit_callbacks):
    url = f"{PRODUCTS}vase/"
    assert get(url).json()["availability"] == "in_stock"
    staff = StaffFactory()

    committed(
        django_capture_on_commit_callbacks,
        lambda: stock_adjust(stock=vase, delta=-20, note="broken in transit", user=staff),
    )
    assert get(url).json()["availability"] == "sold_out"

    committed(
        django_capture_on_commit_callbacks,
        lambda: stock_adjust(stock=vase, delta=3, note="found", user=staff),
    )
    assert get(url).json()["availability"] == "low"  # 3 free units, threshold 5

    committed(
        django_capture_on_commit_callbacks,
        lambda: stock_low_threshold_set(stock=vase, threshold=2, user=staff),
    )
    assert get(url).json()["availability"] == "in_stock"


def test_checkout_holds_do_not_throw_answers_away(vase, django_capture_on_commit_callbacks):
    """The documented bound: units held by checkouts show within CATALOG_CACHE_SECONDS."""
    url = f"{PRODUCTS}vase/"
    before = get(url)
    version = catalog_version()

    committed(
        django_capture_on_commit_callbacks, lambda: stock_reserve(stock_id=vase.pk, quantity=20)
    )

    assert catalog_version() == version
    assert get(url).content == before.content
    catalog_cache._version_raise()  # as if the kept answer had expired
    assert get(url).json()["availability"] == "sold_out"


def test_a_channel_switched_off_stops_answering_at_once(vase, django_capture_on_commit_callbacks):
    assert get(PRODUCTS, {"channel": "museum-web"}).status_code == 200
    channel = vase.variant.product.channel_listings.get().channel

    def switch_off():
        channel.is_active = False
        channel.save()

    committed(django_capture_on_commit_callbacks, switch_off)

    response = get(PRODUCTS, {"channel": "museum-web"})
    assert response.status_code == 403


def test_a_new_stock_row_counts_as_a_change(vase, django_capture_on_commit_callbacks):
    warehouse = WarehouseFactory()
    version = catalog_version()

    committed(
        django_capture_on_commit_callbacks,
        lambda: StockFactory(variant=vase.variant, warehouse=warehouse),
    )

    assert catalog_version() == version + 1


def test_with_caching_off_nothing_is_kept(vase, settings, django_assert_num_queries):
    settings.CATALOG_CACHE_SECONDS = 0
    get(f"{PRODUCTS}vase/")
    with django_assert_num_queries(4):  # product, variants, tags, images
        get(f"{PRODUCTS}vase/")


def test_redis_down_answers_without_cache(vase, monkeypatch):
    down = catalog_cache._Store()
    down.client = redis.Redis(port=1, socket_connect_timeout=0.2)
    down.lookup = down.client.register_script(catalog_cache._LOOKUP)
    monkeypatch.setattr(catalog_cache, "_redis", lambda: down)

    response = get(f"{PRODUCTS}vase/")

    assert response.status_code == 200
    assert response.json()["slug"] == "vase"


def test_a_stale_answer_is_refreshed_by_one_request_while_others_get_it(
    vase, monkeypatch, django_assert_num_queries
):
    url = f"{PRODUCTS}vase/"
    first = get(url)
    Stock.objects.filter(pk=vase.pk).update(quantity_reserved=20)  # a checkout hold
    clock = time.time() + 61
    monkeypatch.setattr(catalog_cache.time, "time", lambda: clock)

    refreshed = get(url)  # the first request after the answer went stale computes it
    with django_assert_num_queries(0):
        second = get(url)

    assert first.json()["availability"] == "in_stock"
    assert refreshed.json()["availability"] == "sold_out"
    assert second.content == refreshed.content

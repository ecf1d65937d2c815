"""The public catalog's ETags, and the queries a page costs (pinned)."""

from __future__ import annotations

import pytest

from catalog.models import Product, Stock
from catalog.search import product_search_text_refresh
from catalog.search.dictionary import segmenter
from tests.catalog.public_api import (
    COLLECTIONS,
    PRODUCTS,
    api_get,
    vary,
)
from tests.factories import (
    ProductChannelListingFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
    StockFactory,
    TagFactory,
)
from tests.factories import (
    catalog_listed_in as make_catalog,
)

pytestmark = pytest.mark.django_db


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
    for product in Product.objects.all():  # the search reads the refreshed search text
        product_search_text_refresh(product)
    segmenter()  # the words just remembered: the dictionary is read once, not counted

    # the search's synonyms, its count (which also says whether the words found anything,
    # else "did you mean"), the page's cards in order of relevance (read with their
    # entries in one statement), the variants' prices and stock, tags, images
    with django_assert_num_queries(6):
        response = api_get(PRODUCTS, {"page_size": page_size, "q": "product", "in_stock": "true"})
    assert len(response.json()["results"]) == min(page_size, 42)

    # the channel, count, the page's cards, the variants' prices and stock, tags, images
    with django_assert_num_queries(6):
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
    for product in Product.objects.all():  # the search reads the refreshed search text
        product_search_text_refresh(product)
    segmenter()  # the words just remembered: the dictionary is read once, not counted

    # the channel, count, the page's cards, the variants' prices and stock, tags, images; a
    # search (catalog.search) adds the versions of its dictionary and synonyms (its count
    # says whether the words found anything, else "did you mean"); ordered by relevance,
    # its page's cards are read in that order, in one statement as well
    searching = 1 if "q" in params else 0
    with django_assert_num_queries(6 + searching):
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

"""The catalog search finds what it always found (search text, names, descriptions, relic
and tag names, tag slugs, SKUs; Chinese and English; words of one, two or more
characters), and on PostgreSQL its queries are the ones the search indexes serve."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Product, ProductVariant, Relic, Tag
from catalog.search import product_ids_matching, product_search_text_refresh
from catalog.selectors import product_list
from tests.factories import (
    CollectionFactory,
    ProductFactory,
    ProductVariantFactory,
    RelicFactory,
    StockFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db):
    # Every text of the two products is written here: a factory's numbered names (a
    # collection "Collection 107") would make a query such as "07" find them or not
    # depending on how many tests ran before.
    gifts = CollectionFactory(slug="museum-gifts", name_zh="馆藏礼品", name_en="Museum Gifts")
    crane = ProductFactory(
        slug="crane-fan",
        name_zh="仙鹤团扇",
        name_en="Crane Round Fan",
        description_zh="绢面",
        description_en="Silk on bamboo",
        collection=gifts,
        relic=RelicFactory(slug="crane-painting", name_zh="仙鹤图", name_en="Painting of Cranes"),
    )
    crane.tags.add(TagFactory(slug="summer-07", name_zh="夏日", name_en="Summer"))
    ProductVariantFactory(product=crane, sku="GWF-FAN-07", price=Decimal("88.00"))
    StockFactory(variant=crane.variants.get(), quantity=3)
    bookmark = ProductFactory(
        slug="fu-bookmark",
        name_zh="福字书签",
        name_en="Fu Bookmark",
        description_zh="黄铜",
        description_en="Brass",
        collection=gifts,
        relic=RelicFactory(slug="fu-stele", name_zh="福字碑", name_en="Fu Stele"),
    )
    ProductVariantFactory(product=bookmark, sku="GWF-BM-01", price=Decimal("28.00"))
    ProductVariantFactory(product=bookmark, sku="GWF-BM-OLD", is_active=False)
    for product in (crane, bookmark):
        product_search_text_refresh(product)
    return {"crane": crane, "bookmark": bookmark}


def found(text: str) -> list[str]:
    return [product.slug for product in product_list(filters={"q": text})]


@pytest.mark.parametrize(
    ("text", "slugs"),
    [
        ("crane", ["crane-fan"]),
        ("CRANE", ["crane-fan"]),
        ("仙鹤", ["crane-fan"]),
        ("鹤", ["crane-fan"]),
        ("团扇", ["crane-fan"]),
        ("福", ["fu-bookmark"]),
        ("书签", ["fu-bookmark"]),
        ("福字碑", ["fu-bookmark"]),  # the relic, also in the search text
        ("stele", ["fu-bookmark"]),
        ("夏日", ["crane-fan"]),  # a tag's name
        ("summer-07", ["crane-fan"]),  # a tag's slug
        ("gwf-bm-01", ["fu-bookmark"]),  # an active variant's SKU
        ("gwf-bm-old", []),  # a retired variant's SKU
        ("07", ["crane-fan"]),
        ("fu", ["fu-bookmark"]),
        ("f", ["crane-fan", "fu-bookmark"]),
        ("round fan", ["crane-fan"]),
        ("fu crane", []),
        ("silk", ["crane-fan"]),
        ("绢", ["crane-fan"]),
        ("porcelain", []),
        ("丝巾", []),
        ("%", []),
        ("_", []),
    ],
)
def test_search_finds_by_every_text_in_both_languages(catalog, text, slugs):
    assert found(text) == slugs


def test_search_reads_the_search_text_which_a_refresh_brings_up_to_date(catalog):
    crane = catalog["crane"]
    # Changed behind the ORM's back: the list searches the search text alone (one
    # indexed match per word), so it finds the old texts until the product is refreshed.
    Product.objects.filter(pk=crane.pk).update(name_en="Heron Round Fan", name_zh="白鹭团扇")
    Relic.objects.filter(pk=crane.relic_id).update(name_en="Painting of Egrets")
    Tag.objects.filter(slug="summer-07").update(name_zh="盛夏")
    ProductVariant.objects.filter(product=crane).update(sku="GWF-HERON-1")
    assert found("heron") == []
    assert found("crane") == ["crane-fan"]

    product_search_text_refresh(Product.objects.get(pk=crane.pk))

    assert found("heron") == ["crane-fan"]
    assert found("白鹭") == ["crane-fan"]
    assert found("鹭") == ["crane-fan"]
    assert found("egrets") == ["crane-fan"]
    assert found("盛夏") == ["crane-fan"]
    assert found("heron-1") == ["crane-fan"]
    assert found("gwf-fan-07") == []


def test_search_counts_and_pages_what_it_finds(catalog):
    for index in range(25):
        product = ProductFactory(slug=f"crane-{index:02d}", name_en="Crane")
        ProductVariantFactory(product=product)
        product_search_text_refresh(product)  # as the admin, import and services do

    products = product_list(filters={"q": "crane", "ordering": "slug"})

    assert products.count() == 26
    assert [p.slug for p in products[20:26]] == [
        "crane-20",
        "crane-21",
        "crane-22",
        "crane-23",
        "crane-24",
        "crane-fan",
    ]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Few rows in a test table: a sequential scan would win; forbid it, so the plan
        # shows whether an index can serve the query at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    return plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
@pytest.mark.parametrize(
    ("term", "indexes"),
    [
        (
            "crane",
            [
                "catalog_product_search_text_trgm",
                "catalog_product_name_zh_trgm",
                "catalog_product_name_en_trgm",
                "catalog_product_description_zh_trgm",
                "catalog_product_description_en_trgm",
                # The relic's products: its covering index or the plain one, costed alike;
                # which PostgreSQL takes follows their sizes (the tests run before).
                "catalog_product_relic_id_",
                "catalog_variant_sku_trgm",
            ],
        ),
        ("仙鹤", ["catalog_product_search_characters", "catalog_variant_sku_characters"]),
        ("鹤", ["catalog_product_search_characters", "catalog_variant_sku_characters"]),
    ],
)
def test_search_queries_are_served_by_the_search_indexes(catalog, term, indexes):
    plan = _plan(product_ids_matching(term))

    for index in indexes:
        assert index in plan, plan
    assert "Seq Scan on catalog_product " not in plan, plan
    assert "Seq Scan on catalog_productvariant" not in plan, plan


def test_a_search_counts_up_to_its_cap_and_says_so(catalog, monkeypatch):
    for index in range(6):
        product = ProductFactory(slug=f"crane-{index:02d}", name_en="Crane")
        ProductVariantFactory(product=product)
        product_search_text_refresh(product)
    monkeypatch.setattr("catalog.selectors.SEARCH_COUNT_MAX", 5)

    capped = product_list(filters={"q": "crane"})
    exact = product_list(filters={"q": "bookmark"})
    browsed = product_list(filters={})

    assert (capped.count(), capped.count_capped) == (5, True)
    assert len(capped[0:20]) == 7  # the pages themselves are not cut short by the count
    assert (exact.count(), exact.count_capped) == (1, False)
    assert (browsed.count(), browsed.count_capped) == (8, False)


def test_a_search_that_found_more_than_it_counts_ranks_its_candidates_first(catalog, monkeypatch):
    for index in range(6):
        product = ProductFactory(slug=f"crane-{index:02d}", name_en="Crane")
        ProductVariantFactory(product=product)
        product_search_text_refresh(product)
    for index in range(2):
        product = ProductFactory(slug=f"heron-{index}", name_en="Heron", description_en="crane")
        ProductVariantFactory(product=product)
        product_search_text_refresh(product)
    monkeypatch.setattr("catalog.selectors.SEARCH_COUNT_MAX", 5)
    monkeypatch.setattr("catalog.search.filtering.CANDIDATES_MAX", 3)

    products = product_list(filters={"q": "crane"})
    pages = [[p.slug for p in products[start : start + 4]] for start in (0, 4, 8)]

    # Three products named by the word, ranked: those whose whole name it is first (the
    # oldest of them: all sold out, but better matches than the fan that can be bought);
    # then the others found, by slug, page after page without overlap.
    assert pages == [
        ["crane-00", "crane-01", "crane-02", "crane-03"],
        ["crane-04", "crane-05", "crane-fan", "heron-0"],
        ["heron-1"],
    ]
    assert [p.slug for p in products[:]] == [slug for page in pages for slug in page]

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from catalog.list_entries import list_entries_refresh
from catalog.models import Product
from catalog.search import product_search_text_build, product_search_text_refresh
from catalog.selectors import (
    IN_STOCK,
    LOW,
    SOLD_OUT,
    availability_level,
    collection_get,
    collection_list,
    product_get,
    product_list,
)
from shop.core.errors import InvalidInput, NotFound
from tests.factories import (
    CollectionFactory,
    ProductChannelListingFactory,
    ProductFactory,
    ProductVariantFactory,
    RelicFactory,
    SalesChannelFactory,
    StockFactory,
    TagFactory,
    VariantChannelPriceFactory,
    WarehouseFactory,
)
from tests.factories import (
    product_with_variant as make_product,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)


def slugs(queryset) -> list[str]:
    return [product.slug for product in queryset]


@pytest.mark.parametrize(
    ("available", "threshold", "level"),
    [
        (None, None, SOLD_OUT),
        (0, 5, SOLD_OUT),
        (-1, 5, SOLD_OUT),
        (1, 0, IN_STOCK),
        (5, 5, LOW),
        (1, 5, LOW),
        (6, 5, IN_STOCK),
    ],
)
def test_availability_level(available, threshold, level):
    assert availability_level(available, threshold) == level


def test_product_list_shows_only_active_products_with_an_active_variant():
    make_product(slug="shown")
    make_product(slug="inactive", is_active=False)
    no_active_variant = ProductFactory(slug="no-active-variant")
    ProductVariantFactory(product=no_active_variant, is_active=False)
    ProductFactory(slug="no-variant")

    assert slugs(product_list()) == ["shown"]


def test_product_list_in_a_channel_shows_only_products_published_there_now():
    channel = SalesChannelFactory()
    other_channel = SalesChannelFactory()
    hour = datetime.timedelta(hours=1)
    cases = {
        "open": {},
        "open-window": {"available_from": NOW - hour, "available_until": NOW + hour},
        "starts-now": {"available_from": NOW},
        "unpublished": {"is_published": False},
        "not-yet": {"available_from": NOW + hour},
        "ended": {"available_until": NOW - hour},
        "ends-now": {"available_until": NOW},
    }
    for slug, listing in cases.items():
        ProductChannelListingFactory(product=make_product(slug=slug), channel=channel, **listing)
    ProductChannelListingFactory(product=make_product(slug="elsewhere"), channel=other_channel)
    make_product(slug="unlisted")

    assert slugs(product_list(channel_id=channel.pk, now=NOW)) == [
        "open",
        "open-window",
        "starts-now",
    ]
    assert len(product_list(now=NOW)) == 9


def test_price_from_is_the_cheapest_active_variant_at_the_channel_price():
    channel = SalesChannelFactory()
    product = ProductFactory(slug="scroll")
    ProductVariantFactory(product=product, price=Decimal("120.00"))
    discounted = ProductVariantFactory(product=product, price=Decimal("150.00"))
    ProductVariantFactory(product=product, price=Decimal("10.00"), is_active=False)
    VariantChannelPriceFactory(variant=discounted, channel=channel, price=Decimal("100.00"))
    ProductChannelListingFactory(product=product, channel=channel)

    assert [p.price_from for p in product_list()] == [Decimal("120.00")]
    assert [p.price_from for p in product_list(channel_id=channel.pk)] == [Decimal("100.00")]
    other_channel = SalesChannelFactory()
    ProductChannelListingFactory(product=product, channel=other_channel)
    assert [p.price_from for p in product_list(channel_id=other_channel.pk)] == [Decimal("120.00")]


def test_free_units_add_up_over_active_warehouses_and_active_variants():
    product = ProductFactory()
    variant = ProductVariantFactory(product=product)
    second = ProductVariantFactory(product=product)
    retired = ProductVariantFactory(product=product, is_active=False)
    StockFactory(variant=variant, quantity=10, quantity_reserved=4, low_stock_threshold=3)
    StockFactory(variant=second, quantity=2, low_stock_threshold=2)
    StockFactory(variant=variant, warehouse=WarehouseFactory(is_active=False), quantity=50)
    StockFactory(variant=retired, quantity=70)

    [listed] = product_list()
    assert (listed.quantity_available, listed.low_stock_threshold) == (8, 5)
    detailed = product_get(slug=product.slug)
    assert [
        (v.sku, v.quantity_available, v.low_stock_threshold) for v in detailed.active_variants
    ] == [
        (variant.sku, 6, 3),
        (second.sku, 2, 2),
    ]


def test_filters_by_collection_tag_price_and_stock():
    blossoms = CollectionFactory(slug="blossoms")
    gift = TagFactory(slug="gift")
    cheap = make_product(slug="cheap", price="20.00", quantity=3, collection=blossoms)
    cheap.tags.add(gift)
    make_product(slug="middle", price="50.00", collection=blossoms)
    make_product(slug="dear", price="300.00", quantity=1)

    assert slugs(product_list(filters={"collection": "blossoms"})) == ["cheap", "middle"]
    assert slugs(product_list(filters={"collection": "nothing"})) == []
    assert slugs(product_list(filters={"tag": "gift"})) == ["cheap"]
    assert slugs(product_list(filters={"price_min": "50"})) == ["dear", "middle"]
    assert slugs(product_list(filters={"price_max": "50.00"})) == ["cheap", "middle"]
    assert slugs(product_list(filters={"price_min": "20.01", "price_max": "299.99"})) == ["middle"]
    assert slugs(product_list(filters={"in_stock": "true"})) == ["cheap", "dear"]
    assert slugs(product_list(filters={"in_stock": "false"})) == ["middle"]


def test_price_filter_uses_the_channel_price_when_a_channel_is_given():
    channel = SalesChannelFactory()
    product = ProductFactory(slug="fan")
    variant = ProductVariantFactory(product=product, price=Decimal("80.00"))
    VariantChannelPriceFactory(variant=variant, channel=channel, price=Decimal("60.00"))
    ProductChannelListingFactory(product=product, channel=channel)

    assert slugs(product_list(filters={"price_max": "70"})) == []
    assert slugs(product_list(filters={"price_max": "70"}, channel_id=channel.pk)) == ["fan"]


def test_fully_reserved_stock_is_not_in_stock():
    product = ProductFactory(slug="drop")
    StockFactory(variant=ProductVariantFactory(product=product), quantity=5, quantity_reserved=5)

    assert slugs(product_list(filters={"in_stock": "true"})) == []
    assert slugs(product_list(filters={"in_stock": "false"})) == ["drop"]


def test_search_matches_both_languages_tags_skus_and_relic_case_insensitively():
    relic = RelicFactory(name_zh="秘云洞福字碑", name_en="Fu Character Stele")
    fan = make_product(
        slug="fan",
        name_zh="福字折扇",
        name_en="Fu Folding Fan",
        description_zh="竹骨绢面",
        description_en="Bamboo and silk",
        relic=relic,
    )
    fan.tags.add(TagFactory(slug="summer", name_zh="夏日", name_en="Summer"))
    notebook = make_product(
        slug="notebook", name_zh="海棠手账本", name_en="Crabapple Notebook", relic=None
    )
    ProductVariantFactory(product=notebook, sku="GWF-NOTE-01")
    for product in Product.objects.all():  # the search reads the refreshed search text
        product_search_text_refresh(product)

    def found(text: str) -> list[str]:
        return slugs(product_list(filters={"q": text}))

    assert found("折扇") == ["fan"]
    assert found("folding") == ["fan"]
    assert found("BAMBOO") == ["fan"]
    assert found("绢面") == ["fan"]
    assert found("夏日") == ["fan"]
    assert found("summer") == ["fan"]
    assert found("福字碑") == ["fan"]
    assert found("stele") == ["fan"]
    assert found("gwf-note") == ["notebook"]
    assert found("海棠") == ["notebook"]
    assert found("fu fan") == ["fan"]
    assert found("fu notebook") == []
    assert found("porcelain") == []


def test_search_uses_the_refreshed_search_text():
    collection = CollectionFactory(name_zh="锦绣华章", name_en="Fabrics of Glory")
    product = make_product(slug="scarf", collection=collection)

    assert slugs(product_list(filters={"q": "glory"})) == []
    product_search_text_refresh(product)
    assert slugs(product_list(filters={"q": "GLORY"})) == ["scarf"]
    assert slugs(product_list(filters={"q": "锦绣"})) == ["scarf"]


def test_product_search_text_refresh_stores_lowercased_words_without_restamping():
    relic = RelicFactory(name_zh="福字碑", name_en="Fu Stele", period_en="Qing", museum_number="")
    product = ProductFactory(
        slug="bookmark",
        name_zh="福字书签",
        name_en="Fu Bookmark",
        description_zh="黄铜",
        description_en="Brass",
        relic=relic,
        collection=CollectionFactory(name_zh="智慧之花", name_en="Blossoms of Wisdom"),
    )
    product.tags.add(TagFactory(slug="gift", name_zh="礼物", name_en="Gift"))
    ProductVariantFactory(product=product, sku="GWF-BM-01", name_zh="金色", name_en="Gold")
    ProductVariantFactory(product=product, sku="GWF-BM-OLD", is_active=False)
    updated_at = Product.objects.get(pk=product.pk).updated_at

    text = product_search_text_refresh(product)

    lines = text.split("\n")
    assert text == text.lower()
    for word in ("福字书签", "fu bookmark", "bookmark", "黄铜", "brass", "gift", "礼物"):
        assert word in lines
    for word in ("gwf-bm-01", "金色", "gold", "qing"):
        assert word in lines
    for words in ("福字碑", "fu stele", "智慧之花", "blossoms of wisdom"):  # relic, collection
        assert words in text
    assert "gwf-bm-old" not in lines  # an inactive variant is not searched
    stored = Product.objects.get(pk=product.pk)
    assert stored.search_text == text == product.search_text
    assert stored.updated_at == updated_at
    assert product_search_text_build(stored) == text


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("slug", ["a-ink", "b-fan", "c-seal"]),
        ("name", ["c-seal", "b-fan", "a-ink"]),
        ("-name", ["a-ink", "b-fan", "c-seal"]),
        ("price", ["b-fan", "c-seal", "a-ink"]),
        ("-price", ["a-ink", "c-seal", "b-fan"]),
        ("newest", ["c-seal", "b-fan", "a-ink"]),
    ],
)
def test_ordering(order, expected):
    created = timezone.now()
    for offset, (slug, name, price) in enumerate(
        [("a-ink", "Ink", "90.00"), ("b-fan", "Fan", "10.00"), ("c-seal", "Brush seal", "50.00")]
    ):
        product = make_product(slug=slug, name_en=name, price=price)
        Product.objects.filter(pk=product.pk).update(
            created_at=created + datetime.timedelta(minutes=offset)
        )
        list_entries_refresh(product_ids=[product.pk])  # changed behind the services' back

    assert slugs(product_list(filters={"ordering": order}, lang="en")) == expected


def test_name_ordering_follows_the_language():
    make_product(slug="one", name_zh="2 乙", name_en="B")
    make_product(slug="two", name_zh="1 甲", name_en="C")
    make_product(slug="three", name_zh="3 丙", name_en="A")

    assert slugs(product_list(filters={"ordering": "name"}, lang="en")) == ["three", "one", "two"]
    assert slugs(product_list(filters={"ordering": "name"}, lang="zh")) == ["two", "one", "three"]


@pytest.mark.parametrize(
    ("filters", "fields"),
    [
        ({"price_min": "abc"}, {"price_min": ["Enter a number."]}),
        ({"price_max": "NaN"}, {"price_max": ["Enter a number."]}),
        (
            {"price_min": "-1"},
            {"price_min": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"price_min": "10.001"},
            {"price_min": ["Ensure that there are no more than 2 decimal places."]},
        ),
        (
            {"price_min": "20", "price_max": "10"},
            {"price_max": ["Must be greater than or equal to price_min."]},
        ),
        (
            {"ordering": "bogus"},
            {"ordering": ["Select a valid choice. bogus is not one of the available choices."]},
        ),
        (
            {"in_stock": "maybe"},
            {"in_stock": ["Select a valid choice. maybe is not one of the available choices."]},
        ),
        (
            {"q": "x" * 101},
            {"q": ["Ensure this value has at most 100 characters (it has 101)."]},
        ),
    ],
)
def test_bad_filter_values_raise_invalid_input(filters, fields):
    make_product()

    with translation.override("en"), pytest.raises(InvalidInput) as raised:
        product_list(filters=filters)

    assert raised.value.code == "invalid"
    assert raised.value.fields == fields


def test_product_get_hides_what_is_not_on_sale():
    channel = SalesChannelFactory()
    on_sale = make_product(slug="on-sale")
    ProductChannelListingFactory(product=on_sale, channel=channel)
    later = make_product(slug="later")
    ProductChannelListingFactory(
        product=later, channel=channel, available_from=NOW + datetime.timedelta(days=1)
    )
    make_product(slug="retired", is_active=False)

    assert product_get(slug="on-sale", channel_id=channel.pk, now=NOW).product == on_sale
    assert product_get(slug="later", now=NOW).slug == "later"
    for slug, channel_id in [("later", channel.pk), ("retired", None), ("missing", None)]:
        with pytest.raises(NotFound) as raised:
            product_get(slug=slug, channel_id=channel_id, now=NOW)
        assert raised.value.code == "product_not_found"


def test_product_get_gives_active_variants_at_channel_prices_in_position_order():
    channel = SalesChannelFactory()
    product = ProductFactory()
    second = ProductVariantFactory(product=product, position=2, price=Decimal("30.00"))
    first = ProductVariantFactory(product=product, position=1, price=Decimal("40.00"))
    ProductVariantFactory(product=product, position=0, is_active=False)
    VariantChannelPriceFactory(variant=first, channel=channel, price=Decimal("35.50"))

    ProductChannelListingFactory(product=product, channel=channel)

    in_channel = product_get(slug=product.slug, channel_id=channel.pk).active_variants
    assert [(v.sku, v.effective_price) for v in in_channel] == [
        (first.sku, Decimal("35.50")),
        (second.sku, Decimal("30.00")),
    ]
    browsing = product_get(slug=product.slug).active_variants
    assert [(v.sku, v.effective_price) for v in browsing] == [
        (first.sku, Decimal("40.00")),
        (second.sku, Decimal("30.00")),
    ]


def test_collections_active_in_position_order():
    CollectionFactory(slug="b", position=1)
    CollectionFactory(slug="a", position=2)
    CollectionFactory(slug="c", position=1)
    CollectionFactory(slug="hidden", is_active=False)

    assert [c.slug for c in collection_list()] == ["b", "c", "a"]
    assert collection_get(slug="a").slug == "a"
    for slug in ["hidden", "missing"]:
        with pytest.raises(NotFound) as raised:
            collection_get(slug=slug)
        assert raised.value.code == "collection_not_found"

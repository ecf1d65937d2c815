"""The product pages of the admin show prices, stock per warehouse and pictures: the
changelist a compact price range, free units and a thumbnail, the change page the list
and channel prices, each warehouse's on hand, reserved and free units and a picture,
in as many queries for many products or variants as for one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Stock
from shop.demo.data.loaders import staff_group_load
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _product(museum_wh, media_wh, channel, slug: str, prices=("128.00", "98.00")):
    product = factories.ProductFactory(slug=slug, name_zh="仙鹤团扇", name_en="Crane Fan")
    for index, price in enumerate(prices):
        variant = factories.ProductVariantFactory(
            product=product, sku=f"{slug}-{index}", price=Decimal(price), position=index
        )
        factories.VariantChannelPriceFactory(variant=variant, channel=channel, price="88.00")
        factories.stock_with_units(variant=variant, warehouse=museum_wh, quantity=80)
        factories.stock_with_units(variant=variant, warehouse=media_wh, quantity=5)
    Stock.objects.filter(variant__product=product, warehouse=museum_wh).update(quantity_reserved=3)
    factories.ProductImageFactory(product=product)
    return product


@pytest.fixture
def shelves(museum, media):
    museum_wh = factories.WarehouseFactory(
        partner=museum, code="museum-sh", name_zh="上海仓", name_en="Shanghai"
    )
    media_wh = factories.WarehouseFactory(
        partner=media, code="media-bj", name_zh="新京报仓", name_en="Beijing News Warehouse"
    )
    channel = factories.SalesChannelFactory(code="museum-web", name_en="Museum Web Shop")
    return museum_wh, media_wh, channel


def _queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_changelist_shows_price_range_free_units_and_thumbnail(superuser, shelves):
    _product(*shelves, slug="crane-fan")

    _count, page = _queries(_client(superuser), reverse("admin:catalog_product_changelist"))

    assert "¥98.00–¥128.00" in page
    # 2 variants of (80 + 5) on hand, 2 of 3 reserved in Shanghai.
    assert "164 free of 170" in page
    assert '<img src="/media/' in page and 'width="48"' in page


def test_the_changelist_reads_a_page_in_the_same_queries_for_many_products(superuser, shelves):
    client = _client(superuser)
    url = reverse("admin:catalog_product_changelist")
    _product(*shelves, slug="one")
    one, _page = _queries(client, url)
    for index in range(4):
        _product(*shelves, slug=f"more-{index}")

    five, page = _queries(client, url)

    assert page.count("¥98.00–¥128.00") == 5
    assert five == one


def test_the_change_page_shows_prices_and_stock_per_warehouse(superuser, shelves):
    product = _product(*shelves, slug="crane-fan")
    url = reverse("admin:catalog_product_change", args=[product.pk])

    _count, page = _queries(_client(superuser), url)

    assert "<td>crane-fan-0 · Standard</td><td>¥128.00</td><td>Museum Web Shop: ¥88.00</td>" in page
    assert (
        "<td>crane-fan-0 · Standard</td><td>Shanghai</td><td>80</td><td>3</td><td>77</td>" in page
    )
    media = "<td>crane-fan-1 · Standard</td><td>Beijing News Warehouse</td>"
    assert f"{media}<td>5</td><td>0</td><td>5</td>" in page


def test_the_change_page_reads_in_the_same_queries_for_more_variants(superuser, shelves):
    client = _client(superuser)
    small = _product(*shelves, slug="small", prices=("10.00",))
    large = _product(*shelves, slug="large", prices=("10.00", "20.00", "30.00", "40.00"))

    few, _page = _queries(client, reverse("admin:catalog_product_change", args=[small.pk]))
    many, page = _queries(client, reverse("admin:catalog_product_change", args=[large.pk]))

    assert page.count("<td>Shanghai</td>") == 4
    assert many == few


def test_partner_staff_see_only_their_own_warehouses_stock(museum, shelves):
    product = _product(*shelves, slug="crane-fan")
    staff = factories.PartnerStaffFactory(partner=museum).user
    staff.groups.add(staff_group_load())
    client = _client(staff, "zh-hans")

    _count, page = _queries(client, reverse("admin:catalog_product_change", args=[product.pk]))
    _count, listing = _queries(client, reverse("admin:catalog_product_changelist"))

    assert "<td>上海仓</td>" in page
    assert "新京报仓" not in page
    assert "154 件可用，共 160 件" in listing

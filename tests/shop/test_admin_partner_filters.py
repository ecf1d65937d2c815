"""Partner staff never read the other partner's warehouse names in the admin's filters,
on any list they may open, even with a transfer between the two partners that both see."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client

from catalog.stock.services import stock_transfer
from shop.demo.data.loaders import staff_group_load
from tests import factories
from tests.factories import order_with_stock, stock_with_units
from tests.factories.fulfillment import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_partners(museum, media):
    own = factories.WarehouseFactory(partner=museum, code="museum-sh", name_zh="上海仓")
    other = factories.WarehouseFactory(
        partner=media, code="media-tj", name_zh="天津仓", name_en="Tianjin Depot"
    )
    own_stock = stock_with_units(warehouse=own, quantity=10)
    other_stock = stock_with_units(warehouse=other, quantity=10)
    channel = factories.SalesChannelFactory(code="museum-web", owner=museum)
    for stock in (own_stock, other_stock):
        pay(order_with_stock(channel=channel, lines=[(stock.variant, 1)]))
    staff = factories.PartnerStaffFactory(partner=museum).user
    staff.groups.add(staff_group_load())
    stock_transfer(
        variant=own_stock.variant,
        from_warehouse=own,
        to_warehouse=other,
        quantity=2,
        user=staff,
        reason="for the joint fair",
    )
    return staff, other


def _filters(html: str) -> str:
    found = re.search(r'<div id="changelist-filter".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def test_partner_staff_filters_name_only_their_own_warehouses(two_partners):
    staff, other = two_partners
    client = Client()
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    opened = []
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        page = client.get(url)
        if page.status_code != 200:
            continue
        opened.append(url)
        filters = _filters(page.content.decode())
        for name in (other.name_zh, other.name_en, other.code):
            assert name not in filters, f"{url}: {name}"
    assert "/admin/catalog/stockmovement/" in opened
    assert "/admin/fulfillment/shipment/" in opened

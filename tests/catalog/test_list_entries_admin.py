"""The admin's changes move the product list's entries too (see catalog/list_entries.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Warehouse
from tests import factories
from tests.catalog.list_entries_rows import entries, free_flags
from tests.factories.catalog_scenes import fan_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    """A product in two channels (one with its own price) and browsing, with one stock row
    of 3 units in an open warehouse."""
    return fan_shop()


def _admin() -> Client:
    client = Client()
    client.force_login(factories.SuperuserFactory())
    return client


def test_closing_a_warehouse_in_the_admin_clears_the_flag_of_its_products(shop):
    warehouse = shop["warehouse"]
    data = {
        "code": warehouse.code,
        "name_zh": warehouse.name_zh,
        "name_en": warehouse.name_en,
        "partner": warehouse.partner_id,
        "country": "CN",
        "_save": "Save",
    }  # is_active left out: unticked

    response = _admin().post(reverse("admin:catalog_warehouse_change", args=[warehouse.pk]), data)

    assert response.status_code == 302
    assert Warehouse.objects.get(pk=warehouse.pk).is_active is False
    assert free_flags(shop["product"]) == {False}


def test_retiring_a_variant_in_the_admin_moves_the_price(shop):
    cheap = shop["cheap"]
    data = {
        "product": shop["product"].pk,
        "sku": cheap.sku,
        "name_zh": cheap.name_zh,
        "name_en": cheap.name_en,
        "options": "{}",
        "price": "80.00",
        "weight_grams": "0",
        "position": "0",
        "channel_prices-TOTAL_FORMS": "0",
        "channel_prices-INITIAL_FORMS": "0",
        "stocks-TOTAL_FORMS": "0",
        "stocks-INITIAL_FORMS": "0",
        "_save": "Save",
    }  # is_active left out: unticked

    response = _admin().post(reverse("admin:catalog_productvariant_change", args=[cheap.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [(e[0], e[7], e[8]) for e in entries(shop["product"])] == [
        (None, Decimal("120.00"), False),
        (shop["web"].pk, Decimal("120.00"), False),
        (shop["app"].pk, Decimal("120.00"), False),
    ]


def test_deleting_a_variant_in_the_admin_moves_the_price(shop):
    sample = factories.ProductVariantFactory(product=shop["product"], price=Decimal("50.00"))
    assert [e[7] for e in entries(shop["product"])] == [Decimal("50.00")] * 3

    response = _admin().post(
        reverse("admin:catalog_productvariant_delete", args=[sample.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert [e[7] for e in entries(shop["product"])] == [
        Decimal("80.00"),
        Decimal("80.00"),
        Decimal("70.00"),
    ]

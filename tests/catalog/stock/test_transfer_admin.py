"""Transfers in the admin: partner staff send units from their warehouse, into the other
partner's with a reason, and both partners see the transfer's two movements."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import MovementReason, Stock, StockMovement
from shop.demo.data.loaders import staff_group_load
from tests import factories
from tests.factories import stock_with_units

pytestmark = pytest.mark.django_db

URL = "/admin/catalog/stock/transfer/"


def staff_client(partner) -> Client:
    user = factories.PartnerStaffFactory(partner=partner).user
    user.groups.add(staff_group_load())
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def stocks(museum, media):
    variant = factories.ProductVariantFactory(sku="FU-FAN-1")
    museum_stock = stock_with_units(
        variant=variant, warehouse=factories.WarehouseFactory(partner=museum, code="museum-bj")
    )
    media_stock = stock_with_units(
        variant=variant, warehouse=factories.WarehouseFactory(partner=media, code="media-bj")
    )
    return museum_stock, media_stock


def _units(*stocks: Stock) -> list[int]:
    return [Stock.objects.get(pk=s.pk).quantity for s in stocks]


def test_staff_send_units_to_the_other_partner_and_both_see_the_transfer(stocks, museum, media):
    museum_stock, media_stock = stocks
    museum_client, media_client = staff_client(museum), staff_client(media)

    page = museum_client.get(URL)
    assert page.status_code == 200
    assert list(page.context["form"].fields["source"].queryset) == [museum_stock]

    sent = museum_client.post(
        URL,
        {
            "source": museum_stock.pk,
            "to_warehouse": media_stock.warehouse_id,
            "quantity": 3,
            "reason": "for the joint fair",
        },
    )

    assert sent.status_code == 302
    assert _units(museum_stock, media_stock) == [7, 13]
    out, into = StockMovement.objects.filter(
        reason__in=[MovementReason.TRANSFER_OUT, MovementReason.TRANSFER_IN]
    ).order_by("id")
    assert (out.note, into.note) == (
        "To media-bj. for the joint fair",
        "From museum-bj. for the joint fair",
    )
    assert sent["Location"].endswith(f"?q={out.reference}")
    for client in (museum_client, media_client):
        listing = client.get(sent["Location"])
        assert sorted(m.pk for m in listing.context["cl"].result_list) == [out.pk, into.pk]


def test_units_leave_only_the_senders_warehouses_and_another_partner_needs_a_reason(
    stocks, museum, media
):
    museum_stock, media_stock = stocks
    client = staff_client(museum)

    pulled = client.post(
        URL,
        {
            "source": media_stock.pk,
            "to_warehouse": museum_stock.warehouse_id,
            "quantity": 1,
            "reason": "we need them",
        },
    )
    assert pulled.status_code == 200
    assert "source" in pulled.context["form"].errors
    no_reason = client.post(
        URL, {"source": museum_stock.pk, "to_warehouse": media_stock.warehouse_id, "quantity": 1}
    )
    assert "reason" in no_reason.context["form"].errors
    too_many = client.post(
        URL,
        {
            "source": museum_stock.pk,
            "to_warehouse": media_stock.warehouse_id,
            "quantity": 11,
            "reason": "all of them",
        },
    )
    assert too_many.status_code == 200
    assert too_many.context["form"].non_field_errors()
    assert _units(museum_stock, media_stock) == [10, 10]


def test_staff_of_no_partner_get_the_admin_error_page(stocks):
    client = Client()
    client.force_login(factories.StaffFactory())

    response = client.get(URL)

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")

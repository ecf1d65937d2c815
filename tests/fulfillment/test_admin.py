"""The fulfilment queue and returns in the admin, as each partner's staff use them: only
their own warehouses' rows, filters and pick lists, and actions refused on the others'."""

from __future__ import annotations

import pytest
from django.test import Client

from fulfillment import returns
from fulfillment.models import ReturnStatus, ShipmentStatus
from shop.demo.data.loaders import staff_group_load
from shop.payments.models import Refund
from tests import factories
from tests.factories import order_with_stock
from tests.factories.fulfillment import delivered, pay
from tests.fulfillment.conftest import shipments_of

pytestmark = pytest.mark.django_db


def staff_client(partner) -> Client:
    """Signed in as a member of the "Partner staff" group, as the demo makes them."""
    user = factories.PartnerStaffFactory(partner=partner).user
    user.groups.add(staff_group_load())
    client = Client()
    client.force_login(user)
    return client


def test_staff_see_only_their_warehouses_shipments_and_filters(two_warehouses):
    _order, (media_shipment, museum_shipment) = two_warehouses.booked_order()
    client = staff_client(two_warehouses.museum)

    listing = client.get("/admin/fulfillment/shipment/")

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [museum_shipment]
    html = listing.content.decode()
    assert two_warehouses.media_warehouse.name_zh not in html
    assert str(two_warehouses.media_warehouse) not in html
    page = client.get(f"/admin/fulfillment/shipment/{media_shipment.pk}/change/", follow=True)
    assert page.redirect_chain[-1][0] == "/admin/"
    assert (
        client.get(f"/admin/fulfillment/shipment/{museum_shipment.pk}/change/").status_code == 200
    )


def test_staff_pack_their_shipments_and_cannot_touch_the_others(two_warehouses):
    _order, (media_shipment, museum_shipment) = two_warehouses.booked_order()
    client = staff_client(two_warehouses.museum)

    client.post(
        "/admin/fulfillment/shipment/",
        {"action": "mark_packed", "_selected_action": [media_shipment.pk]},
    )
    media_shipment.refresh_from_db()
    assert media_shipment.status == ShipmentStatus.BOOKED

    client.post(
        "/admin/fulfillment/shipment/",
        {"action": "mark_packed", "_selected_action": [museum_shipment.pk]},
    )
    museum_shipment.refresh_from_db()
    assert museum_shipment.status == ShipmentStatus.PACKED


def test_the_pick_list_page_lists_only_their_warehouses(two_warehouses):
    two_warehouses.booked_order()
    client = staff_client(two_warehouses.media)

    page = client.get("/admin/fulfillment/shipment/pick-list/")

    assert page.status_code == 200
    assert [w.code for w, _picks in page.context["warehouses"]] == ["media-wh"]
    ((_warehouse, picks),) = page.context["warehouses"]
    assert [(p["sku"], p["quantity"]) for p in picks] == [
        (two_warehouses.media_stock.variant.sku, 1)
    ]
    assert two_warehouses.museum_stock.variant.sku not in page.content.decode()


def test_a_staff_member_without_the_group_gets_the_admin_error_page():
    client = Client()
    client.force_login(factories.StaffFactory())

    for url in ("/admin/fulfillment/shipment/", "/admin/fulfillment/shipment/pick-list/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response["Content-Type"].startswith("text/html")
        assert b"<html" in response.content


def test_returns_are_approved_received_and_refunded_by_their_partner_only(two_warehouses):
    order = order_with_stock(
        channel=two_warehouses.channel, lines=[(two_warehouses.museum_stock.variant, 2)]
    )
    pay(order)
    delivered(order)
    line = order.lines.get()
    request = returns.return_request_create(
        order=order, lines=[{"line_id": line.pk, "quantity": 2}]
    )
    museum, media = staff_client(two_warehouses.museum), staff_client(two_warehouses.media)

    assert list(media.get("/admin/fulfillment/returnrequest/").context["cl"].result_list) == []
    media.post(
        "/admin/fulfillment/returnrequest/",
        {"action": "approve", "_selected_action": [request.pk]},
    )
    request.refresh_from_db()
    assert request.status == ReturnStatus.REQUESTED

    for action in ("approve", "receive_resellable", "refund"):
        museum.post(
            "/admin/fulfillment/returnrequest/",
            {"action": action, "_selected_action": [request.pk]},
        )
    request.refresh_from_db()
    assert request.status == ReturnStatus.REFUNDED
    assert Refund.objects.get(order=order).amount == line.unit_price * 2
    assert shipments_of(order)[0].warehouse == two_warehouses.museum_warehouse

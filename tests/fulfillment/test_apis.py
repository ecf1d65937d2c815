import pytest

from fulfillment.models import ReturnStatus, Shipment, ShipmentStatus
from tests import factories
from tests.conftest import client_for
from tests.factories.fulfillment import age_booking, delivered
from tests.fulfillment.conftest import stock_levels


@pytest.fixture
def museum_staff(two_warehouses):
    return factories.PartnerStaffFactory(partner=two_warehouses.museum).user


@pytest.fixture
def fulfilled(two_warehouses):
    from fulfillment import services

    order = two_warehouses.paid_order()
    for shipment_id in services.order_fulfill(order_id=order.pk):
        services.shipment_book(shipment_id=shipment_id)
    return order


def _tracking_url(order, email=""):
    query = f"?email={email}" if email else ""
    return f"/api/v1/orders/{order.number}/tracking/{query}"


def test_a_guest_follows_the_parcels_with_the_order_e_mail(api_client, fulfilled):
    museum = Shipment.objects.get(order=fulfilled, warehouse__code="museum-wh")
    age_booking(museum, 61)
    from fulfillment.services import shipment_track

    shipment_track(shipment_id=museum.pk)

    response = api_client.get(_tracking_url(fulfilled, "BUYER@example.com") + "&lang=en")

    assert response.status_code == 200
    body = response.json()
    assert (body["order"], body["status"]) == (fulfilled.number, "fulfilling")
    parcels = {parcel["waybill_number"]: parcel for parcel in body["parcels"]}
    parcel = parcels[museum.waybill_number]
    assert parcel["status"] == "shipped"
    assert parcel["items"] == [{"sku": fulfilled.lines.first().sku, "quantity": 2}]
    assert [(e["code"], e["description"]) for e in parcel["events"]] == [
        ("booked", "Waybill created"),
        ("picked_up", "Picked up by the courier"),
    ]


def test_the_owner_follows_without_e_mail_and_strangers_see_nothing(two_warehouses, api_client):
    owner = factories.UserFactory()
    order = two_warehouses.paid_order(user=owner, email="owner@example.com")

    assert client_for(owner).get(_tracking_url(order)).status_code == 200
    assert client_for(factories.UserFactory()).get(_tracking_url(order)).status_code == 404
    response = api_client.get(_tracking_url(order, "someone@example.com"))
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"
    assert api_client.get(_tracking_url(order)).status_code == 404


def test_staff_queue_shows_only_the_partners_warehouses(two_warehouses, fulfilled, museum_staff):
    response = client_for(museum_staff).get("/api/v1/staff/fulfillment/shipments/?open=true")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["warehouse"], row["partner"], row["status"], row["units"]) == (
        "museum-wh",
        "museum",
        "booked",
        2,
    )
    everything = client_for(factories.SuperuserFactory()).get(
        "/api/v1/staff/fulfillment/shipments/"
    )
    assert everything.json()["count"] == 2
    media_id = Shipment.objects.get(order=fulfilled, warehouse__code="media-wh").pk
    other = client_for(museum_staff).get(f"/api/v1/staff/fulfillment/shipments/{media_id}/")
    assert other.status_code == 404
    shopper = client_for(factories.UserFactory()).get("/api/v1/staff/fulfillment/shipments/")
    assert shopper.status_code == 403


def test_pick_list_pack_ship_by_hand_and_label(two_warehouses, museum_staff):
    from fulfillment import services

    order = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 3)])
    (shipment_id,) = services.order_fulfill(order_id=order.pk)  # not booked: ship by hand
    client = client_for(museum_staff)
    base = f"/api/v1/staff/fulfillment/shipments/{shipment_id}"

    picks = client.get("/api/v1/staff/fulfillment/warehouses/museum-wh/pick-list/").json()
    assert picks == [
        {
            "sku": two_warehouses.museum_stock.variant.sku,
            "product_name": order.lines.get().product_name,
            "variant_name": order.lines.get().variant_name,
            "quantity": 3,
            "shipments": [shipment_id],
            "personalisations": [],
        }
    ]
    assert client.get("/api/v1/staff/fulfillment/warehouses/media-wh/pick-list/").status_code == 404
    assert client.get(f"{base}/label.pdf").json()["code"] == "label_not_available"

    assert client.post(f"{base}/pack/").json()["status"] == "packed"
    missing = client.post(f"{base}/ship/", {}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (400, "waybill_required")
    bad = client.post(f"{base}/ship/", {"waybill_number": "<script>"}, format="json")
    assert bad.status_code == 400
    assert stock_levels(two_warehouses.museum_stock) == [(10, 3)]

    shipped = client.post(f"{base}/ship/", {"waybill_number": "SF0001112223"}, format="json")

    assert shipped.status_code == 200
    assert (shipped.json()["status"], shipped.json()["carrier"]) == ("shipped", "manual")
    assert [e["type"] for e in shipped.json()["events"]] == ["created", "packed", "shipped"]
    assert stock_levels(two_warehouses.museum_stock) == [(7, 0)]
    label = client.get(f"{base}/label.pdf")
    assert label["Content-Type"] == "application/pdf"
    assert label.content.startswith(b"%PDF")
    delivered_now = client.post(f"{base}/deliver/")
    assert delivered_now.json()["status"] == "delivered"


def test_other_partners_staff_cannot_change_a_shipment(two_warehouses, fulfilled):
    media_staff = factories.PartnerStaffFactory(partner=two_warehouses.media).user
    museum = Shipment.objects.get(order=fulfilled, warehouse__code="museum-wh")
    no_partner_staff = factories.StaffFactory()

    response = client_for(media_staff).post(
        f"/api/v1/staff/fulfillment/shipments/{museum.pk}/pack/"
    )
    assert response.status_code == 404
    response = client_for(no_partner_staff).post(
        f"/api/v1/staff/fulfillment/shipments/{museum.pk}/pack/"
    )
    assert (response.status_code, response.json()["code"]) == (403, "shipment_not_yours")
    assert Shipment.objects.get(pk=museum.pk).status == ShipmentStatus.BOOKED


def test_return_through_the_api(two_warehouses, api_client, museum_staff):
    order = delivered(two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 2)]))
    (line,) = order.lines.all()
    url = f"/api/v1/orders/{order.number}/returns/"

    refused = api_client.post(
        url, {"email": "other@example.com", "lines": [{"line_id": line.pk, "quantity": 1}]}
    )
    assert refused.status_code == 404
    invalid = api_client.post(
        url, {"email": order.email, "lines": [{"line_id": line.pk, "quantity": 0}]}, format="json"
    )
    assert invalid.status_code == 400
    created = api_client.post(
        url,
        {"email": order.email, "reason": "破损", "lines": [{"line_id": line.pk, "quantity": 1}]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    return_id = created.json()["id"]
    assert created.json()["status"] == ReturnStatus.REQUESTED
    listed = api_client.get(f"{url}?email={order.email}").json()
    assert [r["id"] for r in listed] == [return_id]

    staff = client_for(museum_staff)
    base = f"/api/v1/staff/fulfillment/returns/{return_id}"
    queue = staff.get("/api/v1/staff/fulfillment/returns/?status=requested").json()
    assert [r["id"] for r in queue["results"]] == [return_id]
    assert staff.post(f"{base}/approve/", {"note": "ok"}, format="json").json()["status"] == (
        "approved"
    )
    received = staff.post(
        f"{base}/receive/",
        {"lines": [{"line_id": line.pk, "condition": "resellable", "warehouse": "museum-wh"}]},
        format="json",
    )
    assert received.json()["status"] == "received"
    assert received.json()["lines"][0]["condition"] == "resellable"
    assert stock_levels(two_warehouses.museum_stock) == [(9, 0)]
    again = staff.post(f"{base}/approve/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "return_status_conflict")

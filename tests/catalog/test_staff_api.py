import pytest
from rest_framework.test import APIClient

from catalog.models import MovementReason, Stock, StockMovement
from catalog.stock.services import stock_receive
from shop.accounts.models import User
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/staff"


@pytest.fixture
def two_partner_warehouses(museum, media):
    """Partner A (the museum) with two warehouses and a stocked variant; partner B (media)."""
    a_main = factories.WarehouseFactory(partner=museum, code="museum-main")
    a_shop = factories.WarehouseFactory(partner=museum, code="museum-shop")
    b_main = factories.WarehouseFactory(partner=media, code="media-main")
    variant = factories.ProductVariantFactory(sku="FU-STELE-01")
    stock = factories.StockFactory(variant=variant, warehouse=a_main, quantity=20)
    return {"a_main": a_main, "a_shop": a_shop, "b_main": b_main, "stock": stock}


def _partner_staff(partner):
    return factories.PartnerStaffFactory(partner=partner).user


def _state() -> list[tuple]:
    rows = list(
        Stock.objects.order_by("pk").values_list(
            "pk", "quantity", "quantity_reserved", "low_stock_threshold"
        )
    )
    return [*rows, ("movements", StockMovement.objects.count())]


# The permission matrix


def _actor(name, museum, media):
    if name == "superuser":
        return client_for(factories.SuperuserFactory())
    if name == "partner_a_staff":
        return client_for(_partner_staff(museum))
    if name == "partner_b_staff":
        return client_for(_partner_staff(media))
    if name == "staff_without_partner":
        return client_for(factories.StaffFactory())
    if name == "partner_a_user_not_staff":
        return client_for(factories.PartnerMembershipFactory(partner=museum).user)
    return APIClient()


def _action(name, two_partner_warehouses):
    stock = two_partner_warehouses["stock"]
    if name == "receive":
        body = {"sku": "FU-STELE-01", "warehouse": "museum-main", "quantity": 5}
        return f"{BASE}/stock/receive/", {**body, "batch_reference": "B-7"}
    if name == "adjust":
        return f"{BASE}/stock/{stock.pk}/adjust/", {"delta": -2, "note": "Damaged"}
    if name == "count":
        return f"{BASE}/stock/{stock.pk}/count/", {"counted_quantity": 18}
    if name == "low-threshold":
        return f"{BASE}/stock/{stock.pk}/low-threshold/", {"threshold": 9}
    body = {"sku": "FU-STELE-01", "from_warehouse": "museum-main", "to_warehouse": "museum-shop"}
    return f"{BASE}/stock/transfer/", {**body, "quantity": 4}


ALLOWED = {"superuser", "partner_a_staff"}
EXPECTED_REFUSAL = {
    "partner_b_staff": (403, "warehouse_not_yours"),
    "staff_without_partner": (403, "warehouse_not_yours"),
    "partner_a_user_not_staff": (403, "permission_denied"),
    "anonymous": (401, "not_authenticated"),
}
SUCCESS = {"receive": 201, "adjust": 201, "count": 200, "low-threshold": 200, "transfer": 201}


@pytest.mark.parametrize("action", ["receive", "adjust", "count", "low-threshold", "transfer"])
@pytest.mark.parametrize(
    "actor",
    [
        "superuser",
        "partner_a_staff",
        "partner_b_staff",
        "staff_without_partner",
        "partner_a_user_not_staff",
        "anonymous",
    ],
)
def test_permission_matrix_on_partner_a_warehouse(
    two_partner_warehouses, museum, media, actor, action
):
    client = _actor(actor, museum, media)
    url, body = _action(action, two_partner_warehouses)
    before = _state()

    response = client.post(url, body, format="json")

    if actor in ALLOWED:
        assert response.status_code == SUCCESS[action], response.json()
        assert _state() != before
    else:
        status, code = EXPECTED_REFUSAL[actor]
        assert (response.status_code, response.json()["code"]) == (status, code)
        assert _state() == before


def test_units_go_to_another_partners_warehouse_with_a_reason_only(
    two_partner_warehouses, museum, media
):
    body = {
        "sku": "FU-STELE-01",
        "from_warehouse": "museum-main",
        "to_warehouse": "media-main",
        "quantity": 1,
    }
    before = _state()

    # The receiving partner cannot pull units out of the sender's warehouse.
    pulled = client_for(_partner_staff(media)).post(
        f"{BASE}/stock/transfer/", {**body, "reason": "we need them"}, format="json"
    )
    assert (pulled.status_code, pulled.json()["code"]) == (403, "warehouse_not_yours")
    sender = client_for(_partner_staff(museum))
    without = sender.post(f"{BASE}/stock/transfer/", body, format="json")
    assert (without.status_code, list(without.json()["fields"])) == (400, ["reason"])
    assert _state() == before

    sent = sender.post(
        f"{BASE}/stock/transfer/", {**body, "reason": "for the joint fair"}, format="json"
    )

    assert sent.status_code == 201, sent.json()
    assert sent.json()["movement_in"]["note"] == "From museum-main. for the joint fair"


# Successful changes and their bodies


def test_receive_returns_the_movement(two_partner_warehouses, museum):
    user = _partner_staff(museum)

    response = client_for(user).post(
        f"{BASE}/stock/receive/",
        {"sku": "FU-STELE-01", "warehouse": "museum-shop", "quantity": 12, "batch_reference": "B"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ["reason", "quantity_delta", "quantity_after", "reference"]} == {
        "reason": "receipt",
        "quantity_delta": 12,
        "quantity_after": 12,
        "reference": "B",
    }
    assert body["created_by"] == user.email
    assert Stock.objects.get(warehouse=two_partner_warehouses["a_shop"]).quantity == 12


def test_transfer_returns_both_movements(two_partner_warehouses, superuser):
    response = client_for(superuser).post(
        f"{BASE}/stock/transfer/",
        {
            "sku": "FU-STELE-01",
            "from_warehouse": "museum-main",
            "to_warehouse": "media-main",
            "quantity": 5,
            "reason": "stock for the media group's fair",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["movement_out"]["reference"] == body["movement_in"]["reference"]
    assert body["reference"] == body["movement_in"]["reference"]
    assert (body["movement_out"]["quantity_after"], body["movement_in"]["quantity_after"]) == (
        15,
        5,
    )


def test_count_and_threshold_return_the_stock(two_partner_warehouses, superuser):
    stock = two_partner_warehouses["stock"]
    client = client_for(superuser)

    counted = client.post(
        f"{BASE}/stock/{stock.pk}/count/", {"counted_quantity": 20}, format="json"
    )
    threshold = client.post(
        f"{BASE}/stock/{stock.pk}/low-threshold/", {"threshold": 25}, format="json"
    )

    assert counted.status_code == 200
    assert counted.json()["quantity"] == 20
    assert StockMovement.objects.count() == 0
    assert threshold.status_code == 200
    assert {k: threshold.json()[k] for k in ["low_stock_threshold", "is_low", "sku"]} == {
        "low_stock_threshold": 25,
        "is_low": True,
        "sku": "FU-STELE-01",
    }


# Refusals with their codes


@pytest.mark.parametrize(
    ("url", "body", "status", "code"),
    [
        ("RECEIVE", {"sku": "NOPE"}, 400, "invalid"),
        ("RECEIVE", {"warehouse": "nope"}, 400, "invalid"),
        ("RECEIVE", {"quantity": 0}, 400, "invalid"),
        ("RECEIVE", {"quantity": "x"}, 400, "invalid"),
        ("RECEIVE", {"batch_reference": ""}, 400, "invalid"),
        ("ADJUST", {"delta": -21, "note": "Gone"}, 409, "insufficient_stock"),
        ("ADJUST", {"delta": 0, "note": "Nothing"}, 400, "invalid"),
        ("ADJUST", {"delta": 2}, 400, "invalid"),
        ("COUNT", {"counted_quantity": 2}, 409, "reserved_units_protected"),
        ("COUNT", {"counted_quantity": -1}, 400, "invalid"),
        ("THRESHOLD", {"threshold": -1}, 400, "invalid"),
        ("TRANSFER", {"to_warehouse": "museum-main"}, 400, "same_warehouse"),
        ("TRANSFER", {"quantity": 18}, 409, "insufficient_stock"),
        ("stock/999999/adjust/", {"delta": 1, "note": "x"}, 404, "stock_not_found"),
    ],
)  # fmt: skip
def test_bad_requests_change_nothing(two_partner_warehouses, superuser, url, body, status, code):
    stock = two_partner_warehouses["stock"]
    Stock.objects.filter(pk=stock.pk).update(quantity_reserved=3)
    if url in {"ADJUST", "COUNT"}:
        url = f"stock/{stock.pk}/{url.lower()}/"
    elif url == "THRESHOLD":
        url = f"stock/{stock.pk}/low-threshold/"
    elif url == "TRANSFER":
        base = {"sku": "FU-STELE-01", "from_warehouse": "museum-main"}
        body = {**base, "to_warehouse": "museum-shop", "quantity": 1, **body}
        url = "stock/transfer/"
    elif url == "RECEIVE":
        base = {"sku": "FU-STELE-01", "warehouse": "museum-main", "quantity": 1}
        body = {**base, "batch_reference": "B", **body}
        url = "stock/receive/"
    before = _state()

    response = client_for(superuser).post(f"{BASE}/{url}", body, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert _state() == before


def test_limited_edition_receipt_over_the_size_is_refused(two_partner_warehouses, superuser):
    product = factories.ProductFactory(edition_size=3)
    factories.ProductVariantFactory(product=product, sku="LTD-1")

    response = client_for(superuser).post(
        f"{BASE}/stock/receive/",
        {"sku": "LTD-1", "warehouse": "museum-main", "quantity": 4, "batch_reference": "B"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "edition_size_exceeded"
    assert response.json()["edition_size"] == 3
    assert not Stock.objects.filter(variant__sku="LTD-1").exists()


# Reads


def test_warehouses_are_scoped_to_the_partner(two_partner_warehouses, museum):
    codes = lambda client: [w["code"] for w in client.get(f"{BASE}/warehouses/").json()]  # noqa: E731

    assert codes(client_for(_partner_staff(museum))) == ["museum-main", "museum-shop"]
    assert codes(client_for(factories.StaffFactory())) == [
        "media-main",
        "museum-main",
        "museum-shop",
    ]
    assert client_for(factories.UserFactory()).get(f"{BASE}/warehouses/").status_code == 403


def test_stock_list_filters_and_scope(two_partner_warehouses, museum, django_assert_num_queries):
    low = factories.StockFactory(
        warehouse=two_partner_warehouses["a_shop"],
        quantity=3,
        quantity_reserved=1,
        low_stock_threshold=2,
    )
    factories.StockFactory(warehouse=two_partner_warehouses["b_main"], quantity=1)
    user = User.objects.get(pk=_partner_staff(museum).pk)
    client = client_for(user)

    with django_assert_num_queries(3):  # the user's partner, the count, the page
        everything = client.get(f"{BASE}/stock/").json()
    assert everything["count"] == 2
    assert [row["warehouse"] for row in everything["results"]] == ["museum-main", "museum-shop"]

    by_warehouse = client.get(f"{BASE}/stock/", {"warehouse": "museum-shop"}).json()
    assert [row["id"] for row in by_warehouse["results"]] == [low.pk]
    by_sku = client.get(f"{BASE}/stock/", {"sku": "fu-stele-01"}).json()
    assert [row["id"] for row in by_sku["results"]] == [two_partner_warehouses["stock"].pk]
    low_only = client.get(f"{BASE}/stock/", {"low": "true"}).json()
    assert low_only["results"][0] | {"updated_at": None} == {
        "id": low.pk,
        "warehouse": "museum-shop",
        "partner": "museum",
        "sku": low.variant.sku,
        "product_slug": low.variant.product.slug,
        "product_name_zh": low.variant.product.name_zh,
        "product_name_en": low.variant.product.name_en,
        "quantity": 3,
        "quantity_reserved": 1,
        "quantity_available": 2,
        "low_stock_threshold": 2,
        "is_low": True,
        "updated_at": None,
    }
    assert low_only["count"] == 1
    assert client.get(f"{BASE}/stock/", {"low": "maybe"}).status_code == 400


def test_movement_history_is_paginated_newest_first(two_partner_warehouses, museum):
    user = _partner_staff(museum)
    stock = two_partner_warehouses["stock"]
    for batch in range(25):
        stock_receive(
            variant=stock.variant,
            warehouse=stock.warehouse,
            quantity=1,
            batch_reference=f"B{batch}",
            user=user,
        )
    client = client_for(user)

    first = client.get(f"{BASE}/stock/{stock.pk}/movements/").json()
    second = client.get(f"{BASE}/stock/{stock.pk}/movements/", {"page": 2}).json()

    assert first["count"] == 25
    assert [m["reference"] for m in first["results"][:2]] == ["B24", "B23"]
    assert [m["reference"] for m in second["results"]] == ["B4", "B3", "B2", "B1", "B0"]
    assert {m["reason"] for m in first["results"]} == {MovementReason.RECEIPT}


def test_movement_history_of_another_partners_stock_is_refused(two_partner_warehouses, media):
    response = client_for(_partner_staff(media)).get(
        f"{BASE}/stock/{two_partner_warehouses['stock'].pk}/movements/"
    )

    assert (response.status_code, response.json()["code"]) == (403, "warehouse_not_yours")


def test_movement_history_is_read_only(two_partner_warehouses, superuser):
    response = client_for(superuser).post(
        f"{BASE}/stock/{two_partner_warehouses['stock'].pk}/movements/", {}
    )

    assert response.status_code == 405


def test_removing_more_than_the_free_units_says_how_many_are_free(
    two_partner_warehouses, superuser
):
    stock = two_partner_warehouses["stock"]
    Stock.objects.filter(pk=stock.pk).update(quantity=100, quantity_reserved=10)

    response = client_for(superuser).post(
        f"{BASE}/stock/{stock.pk}/adjust/?lang=en",
        {"delta": -100000, "note": "Gone"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["message"] == "Only 90 units are free; 100000 cannot be removed."
    assert response.json()["fields"] == {"quantity": ["At most 90."]}
    assert "reserved" not in response.json()["message"]

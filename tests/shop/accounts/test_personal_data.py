import json

import pytest

from shop.accounts.models import Address, DeviceToken, User
from shop.orders.models import FapiaoRequest, Order
from tests import factories

pytestmark = pytest.mark.django_db

XICHENG = {
    "name": "王小明",
    "phone": "13800000000",
    "province_code": "110000",
    "city_code": "110100",
    "district_code": "110102",
    "street": "前海西街17号",
}


@pytest.fixture
def mei_with_an_order(api_client, small_shop):
    mei = factories.UserFactory(email="mei@example.com")
    token = factories.api_token_for(mei, name="Mei's phone")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.post("/api/v1/me/addresses/", XICHENG, format="json").status_code == 201
    api_client.patch(
        f"/api/v1/me/addresses/{Address.objects.get().pk}/", {"label": "家"}, format="json"
    )
    order = factories.order_with_stock(
        channel=small_shop.channel,
        lines=[(small_shop.variant, 1)],
        email="mei@example.com",
        user=mei,
    )
    Order.objects.filter(pk=order.pk).update(phone="13800000000", note="ring twice")
    FapiaoRequest.objects.create(order=order, title_type="personal", title="王小明")
    return mei, order


def test_a_shopper_downloads_their_data(api_client, mei_with_an_order):
    _mei, order = mei_with_an_order
    response = api_client.get("/api/v1/me/data/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "mei@example.com"
    assert [a["street"] for a in data["addresses"]] == ["前海西街17号"]
    assert [d["name"] for d in data["devices"]] == ["Mei's phone"]
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert data["orders"][0]["fapiao"]["title"] == "王小明"


def test_deleting_the_account_keeps_orders_without_the_person(api_client, mei_with_an_order):
    mei, order = mei_with_an_order
    assert User.history.filter(id=mei.pk).exists()
    assert Address.history.exists()
    wrong = api_client.post("/api/v1/me/delete/", {"password": "nope"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "password_incorrect"
    assert User.objects.filter(pk=mei.pk).exists()

    gone = api_client.post(
        "/api/v1/me/delete/", {"password": "correct-horse-battery"}, format="json"
    )
    assert gone.status_code == 204
    assert not User.objects.filter(pk=mei.pk).exists()
    assert not Address.objects.exists() and not DeviceToken.objects.exists()
    assert not User.history.filter(id=mei.pk).exists()
    assert not Address.history.exists()
    kept = Order.objects.get(pk=order.pk)
    assert (kept.user, kept.email, kept.phone, kept.shipping_address, kept.note) == (
        None,
        "",
        "",
        {},
        "",
    )
    assert kept.total == order.total and kept.lines.count() == 1
    assert FapiaoRequest.objects.get(order=kept).title == "(deleted)"
    assert api_client.get("/api/v1/me/").status_code == 401


def test_staff_accounts_are_closed_by_an_administrator(api_client):
    staff = factories.StaffFactory()
    api_client.force_authenticate(staff)
    response = api_client.post(
        "/api/v1/me/delete/", {"password": "correct-horse-battery"}, format="json"
    )
    assert response.status_code == 400
    assert User.objects.filter(pk=staff.pk).exists()

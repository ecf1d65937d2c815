import pytest

from shop.accounts.models import Address
from shop.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db

XICHENG = {
    "name": "王小明",
    "phone": "+86 138-0000-0000",
    "province_code": "110000",
    "city_code": "110100",
    "district_code": "110102",
    "street": "前海西街17号",
}


@pytest.fixture
def mei(api_client):
    user = factories.UserFactory(email="mei@example.com")
    api_client.force_authenticate(user)
    return user


def test_a_mainland_address_is_saved_with_its_division_names(api_client, mei):
    response = api_client.post("/api/v1/me/addresses/", XICHENG, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["province"], body["city"], body["district"]) == ("北京市", "市辖区", "西城区")
    assert body["phone"] == "13800000000"
    assert body["postcode"] == ""
    assert body["is_default"] is True
    assert api_client.get("/api/v1/me/addresses/").json() == [body]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"province_code": "110100"}, "province_code"),
        ({"city_code": "120100"}, "city_code"),
        ({"district_code": "110201"}, "district_code"),
        ({"district_code": "440305"}, "district_code"),
        ({"phone": "1380000000"}, "phone"),
        ({"phone": "23800000000"}, "phone"),
        ({"postcode": "1000"}, "postcode"),
        ({"province_code": "abc"}, "province_code"),
    ],
)
def test_a_wrong_division_phone_or_postcode_is_refused(api_client, mei, change, field):
    response = api_client.post("/api/v1/me/addresses/", {**XICHENG, **change}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert not Address.objects.exists()


def test_places_without_cities_or_districts_need_none(api_client, mei):
    dongguan = {**XICHENG, "province_code": "440000", "city_code": "441900", "district_code": ""}
    assert api_client.post("/api/v1/me/addresses/", dongguan, format="json").status_code == 201
    xiantao = {
        **XICHENG,
        "province_code": "420000",
        "city_code": "429000",
        "district_code": "429004",
    }
    assert (
        api_client.post("/api/v1/me/addresses/", xiantao, format="json").json()["district"]
        == "仙桃市"
    )


def test_one_default_address_and_others_cannot_be_seen(api_client, mei):
    first = api_client.post("/api/v1/me/addresses/", XICHENG, format="json").json()
    second = api_client.post(
        "/api/v1/me/addresses/", {**XICHENG, "is_default": True}, format="json"
    ).json()
    assert Address.objects.get(pk=first["id"]).is_default is False
    assert Address.objects.get(pk=second["id"]).is_default is True
    moved = api_client.patch(
        f"/api/v1/me/addresses/{first['id']}/", {"street": "新街口1号"}, format="json"
    )
    assert moved.json()["street"] == "新街口1号"
    other = factories.UserFactory()
    api_client.force_authenticate(other)
    hidden = api_client.get(f"/api/v1/me/addresses/{first['id']}/")
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "address_not_found"
    assert api_client.delete(f"/api/v1/me/addresses/{first['id']}/").status_code == 404
    api_client.force_authenticate(mei)
    assert api_client.delete(f"/api/v1/me/addresses/{second['id']}/").status_code == 204
    assert Address.objects.get().is_default is True


def test_divisions_to_pick_from(api_client):
    provinces = api_client.get("/api/v1/divisions/").json()
    assert len(provinces) == 34
    assert {"code": "110000", "name": "北京市"} in provinces
    districts = api_client.get("/api/v1/divisions/?parent=110100").json()
    assert {"code": "110102", "name": "西城区"} in districts
    bad = api_client.get("/api/v1/divisions/?parent=x")
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["parent"]


def test_profile_edit(api_client, mei):
    response = api_client.patch("/api/v1/me/", {"first_name": "美"}, format="json")
    assert response.json()["first_name"] == "美"
    mei.refresh_from_db()
    assert (mei.first_name, mei.last_name) == ("美", "Wei")


def test_buying_with_a_saved_address(api_client, mei, small_shop):
    saved = api_client.post("/api/v1/me/addresses/", XICHENG, format="json").json()
    response = api_client.post(
        f"/api/v1/orders/?channel={small_shop.channel.code}",
        {
            "lines": [{"sku": small_shop.variant.sku, "quantity": 1}],
            "email": "mei@example.com",
            "saved_address": saved["id"],
            "shipping_method": "standard",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="saved-1",
    )
    assert response.status_code == 201, response.json()
    assert Order.objects.get().shipping_address == {
        "name": "王小明",
        "phone": "13800000000",
        "country": "CN",
        "province": "北京市",
        "city": "北京市",
        "district": "西城区",
        "street": "前海西街17号",
    }


def test_someone_elses_saved_address_cannot_be_bought_with(api_client, mei, small_shop):
    saved = api_client.post("/api/v1/me/addresses/", XICHENG, format="json").json()
    api_client.force_authenticate(None)
    response = api_client.post(
        f"/api/v1/orders/?channel={small_shop.channel.code}",
        {
            "lines": [{"sku": small_shop.variant.sku, "quantity": 1}],
            "email": "x@example.com",
            "saved_address": saved["id"],
            "shipping_method": "standard",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="saved-2",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "address_not_found"
    assert not Order.objects.exists()

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from shop.accounts.models import DeviceToken
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def sign_in(api_client, email: str, device: str) -> dict:
    response = api_client.post(
        "/api/v1/auth/sign-in/",
        {"email": email, "password": PASSWORD, "device_name": device},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return response.json()


def as_token(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def test_each_device_gets_its_own_token_stored_only_hashed(api_client):
    factories.UserFactory(email="mei@example.com")
    phone = sign_in(api_client, "mei@example.com", "Mei's phone")
    laptop = sign_in(api_client, "mei@example.com", "Mei's laptop")
    assert phone["token"] != laptop["token"]
    assert len(phone["token"]) == 64
    rows = DeviceToken.objects.filter(user__email="mei@example.com")
    assert rows.count() == 2
    stored = {value for row in rows.values() for value in row.values()}
    assert phone["token"] not in stored and laptop["token"] not in stored

    devices = api_client.get("/api/v1/me/devices/", **as_token(phone["token"])).json()
    assert [(d["name"], d["current"]) for d in devices] == [
        ("Mei's laptop", False),
        ("Mei's phone", True),
    ]
    assert devices[1]["device_id"] == phone["device_id"]


def test_signing_out_one_device_leaves_the_others_signed_in(api_client):
    factories.UserFactory(email="mei@example.com")
    phone = sign_in(api_client, "mei@example.com", "phone")
    laptop = sign_in(api_client, "mei@example.com", "laptop")
    out = api_client.post("/api/v1/auth/sign-out/", **as_token(phone["token"]))
    assert out.status_code == 204
    assert api_client.get("/api/v1/me/", **as_token(phone["token"])).status_code == 401
    assert api_client.get("/api/v1/me/", **as_token(laptop["token"])).status_code == 200


def test_a_lost_device_is_signed_out_from_another(api_client):
    factories.UserFactory(email="mei@example.com")
    phone = sign_in(api_client, "mei@example.com", "phone")
    laptop = sign_in(api_client, "mei@example.com", "laptop")
    gone = api_client.delete(
        f"/api/v1/me/devices/{phone['device_id']}/", **as_token(laptop["token"])
    )
    assert gone.status_code == 204
    assert api_client.get("/api/v1/me/", **as_token(phone["token"])).status_code == 401
    again = api_client.delete(
        f"/api/v1/me/devices/{phone['device_id']}/", **as_token(laptop["token"])
    )
    assert again.status_code == 404
    assert again.json()["code"] == "device_not_found"


def test_one_shopper_cannot_sign_out_anothers_device(api_client):
    factories.UserFactory(email="mei@example.com")
    factories.UserFactory(email="li@example.com")
    mei = sign_in(api_client, "mei@example.com", "phone")
    li = sign_in(api_client, "li@example.com", "phone")
    response = api_client.delete(f"/api/v1/me/devices/{mei['device_id']}/", **as_token(li["token"]))
    assert response.status_code == 404
    assert api_client.get("/api/v1/me/", **as_token(mei["token"])).status_code == 200


def test_sign_out_everywhere(api_client):
    factories.UserFactory(email="mei@example.com")
    other = factories.UserFactory(email="li@example.com")
    other_token = factories.api_token_for(other)
    tokens = [sign_in(api_client, "mei@example.com", name)["token"] for name in ("a", "b")]
    assert api_client.delete("/api/v1/me/devices/", **as_token(tokens[0])).status_code == 204
    for token in tokens:
        assert api_client.get("/api/v1/me/", **as_token(token)).status_code == 401
    assert api_client.get("/api/v1/me/", **as_token(other_token)).status_code == 200


@override_settings(TOKEN_TTL=dt.timedelta(hours=2))
def test_a_token_expires_after_the_configured_time(api_client):
    factories.UserFactory(email="mei@example.com")
    before = timezone.now()
    body = sign_in(api_client, "mei@example.com", "phone")
    expiry = DeviceToken.objects.get().expiry
    assert before + dt.timedelta(hours=2) <= expiry <= timezone.now() + dt.timedelta(hours=2)
    DeviceToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = api_client.get("/api/v1/me/", **as_token(body["token"]))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not DeviceToken.objects.exists()


def test_devices_past_the_limit_sign_out_the_oldest(api_client, settings):
    settings.TOKEN_DEVICES_PER_USER = 2
    factories.UserFactory(email="mei@example.com")
    first, second, third = (sign_in(api_client, "mei@example.com", n) for n in "abc")
    assert api_client.get("/api/v1/me/", **as_token(first["token"])).status_code == 401
    for body in (second, third):
        assert api_client.get("/api/v1/me/", **as_token(body["token"])).status_code == 200


def test_a_plain_token_from_before_keeps_working_as_a_hashed_device_token(api_client):
    import importlib

    from django.apps import apps
    from rest_framework.authtoken.models import Token

    migration = importlib.import_module(
        "shop.accounts.migrations.0004_device_tokens_from_plain_tokens"
    )
    user = factories.UserFactory(email="old@example.com")
    plain = Token.objects.create(user=user).key
    migration.carry_over(apps, None)
    assert not Token.objects.exists()
    device = DeviceToken.objects.get(user=user)
    assert device.name == "token from before device sign-in"
    assert plain not in (device.digest, device.token_key)
    assert api_client.get("/api/v1/me/", **as_token(plain)).json()["email"] == "old@example.com"

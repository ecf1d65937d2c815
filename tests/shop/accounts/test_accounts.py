import pytest

from shop.accounts.models import DeviceToken, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_register_signs_the_shopper_in(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "New@Example.com", "password": "a-long-enough-passphrase", "first_name": "Mei"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "new@example.com"
    assert DeviceToken.objects.get(user__email="new@example.com").token_key == body["token"][:15]
    me = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.json()["email"] == "new@example.com"
    assert me.json()["partner"] is None


def test_register_twice_with_one_email_is_refused(api_client):
    factories.UserFactory(email="taken@example.com")
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "TAKEN@example.com", "password": "a-long-enough-passphrase"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    assert User.objects.count() == 1


def test_weak_password_is_refused_with_the_field(api_client):
    response = api_client.post(
        "/api/v1/auth/register/", {"email": "a@example.com", "password": "123"}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["fields"]
    assert User.objects.count() == 0


def test_sign_in_and_out(api_client):
    factories.UserFactory(email="li@example.com")
    wrong = api_client.post(
        "/api/v1/auth/sign-in/", {"email": "li@example.com", "password": "nope"}, format="json"
    )
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"
    ok = api_client.post(
        "/api/v1/auth/sign-in/",
        {"email": "LI@example.com", "password": "correct-horse-battery"},
        format="json",
    )
    assert ok.status_code == 200
    token = ok.json()["token"]
    out = api_client.post("/api/v1/auth/sign-out/", HTTP_AUTHORIZATION=f"Token {token}")
    assert out.status_code == 204
    assert not DeviceToken.objects.filter(user__email="li@example.com").exists()


def test_me_shows_partner_membership(api_client):
    membership = factories.PartnerMembershipFactory(role="manager")
    api_client.force_authenticate(membership.user)
    body = api_client.get("/api/v1/me/").json()
    assert (body["partner"], body["partner_role"]) == (membership.partner.code, "manager")


def test_me_needs_sign_in(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"

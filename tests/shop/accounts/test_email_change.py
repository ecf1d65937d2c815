"""Changing one's e-mail address: the password again, a link to the new address, a notice
to the old one; the address changes only when the link is used."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from shop.accounts.email_change import email_change_confirm, email_masked
from shop.accounts.errors import VerificationLinkInvalid
from shop.accounts.models import EmailChange, User
from shop.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase"


@pytest.fixture
def mei(api_client):
    user = factories.UserFactory(email="mei@example.com", password=PASSWORD)
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token_for(user)}")
    return User.objects.get(pk=user.pk)


def ask(api_client, capture, new_email="mei.li@example.org", password=PASSWORD):
    with capture(execute=True):
        return api_client.post(
            "/api/v1/me/email/", {"new_email": new_email, "password": password}, format="json"
        )


def token_of(message) -> str:
    return re.search(r"/change-email\?token=([\w-]+)", message.body).group(1)


def test_the_email_changes_only_when_the_link_is_used(
    api_client, mei, small_shop, django_capture_on_commit_callbacks
):
    laptop_token = factories.api_token_for(mei, name="laptop")
    guest_order = factories.order_with_stock(
        channel=small_shop.channel, lines=[(small_shop.variant, 1)], email="Mei.Li@example.org"
    )
    asked = ask(api_client, django_capture_on_commit_callbacks, new_email="Mei.Li@Example.org")
    assert asked.status_code == 202, asked.json()
    link, notice = sorted(mail.outbox, key=lambda m: m.to != ["mei.li@example.org"])
    assert link.to == ["mei.li@example.org"]
    assert notice.to == ["mei@example.com"]
    assert "m***@example.org" in notice.body
    assert "/change-email?token=" not in notice.body
    mei.refresh_from_db()
    assert mei.email == "mei@example.com"  # not before the link is used
    assert Order.objects.get(pk=guest_order.pk).user is None

    confirmed = api_client.post(
        "/api/v1/auth/email-change/confirm/", {"token": token_of(link)}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert (confirmed.json()["email"], confirmed.json()["email_verified"]) == (
        "mei.li@example.org",
        True,
    )
    mei.refresh_from_db()
    assert mei.email == "mei.li@example.org"
    assert Order.objects.get(pk=guest_order.pk).user == mei
    # Every device stays signed in.
    assert api_client.get("/api/v1/me/").json()["email"] == "mei.li@example.org"
    laptop = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {laptop_token}")
    assert laptop.status_code == 200
    # The link works once.
    again = api_client.post(
        "/api/v1/auth/email-change/confirm/", {"token": token_of(link)}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (400, "link_invalid")
    assert not EmailChange.objects.exists()


def test_a_link_expires(api_client, mei, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_CHANGE_LINK_HOURS = 2
    ask(api_client, django_capture_on_commit_callbacks)
    token = token_of(next(m for m in mail.outbox if m.to == ["mei.li@example.org"]))
    later = timezone.now() + dt.timedelta(hours=2, seconds=1)
    with pytest.raises(VerificationLinkInvalid):
        email_change_confirm(token=token, now=later)
    EmailChange.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = api_client.post("/api/v1/auth/email-change/confirm/", {"token": token}, format="json")
    assert (expired.status_code, expired.json()["code"]) == (400, "link_invalid")
    mei.refresh_from_db()
    assert mei.email == "mei@example.com"


def test_a_newer_request_replaces_the_older_link(
    api_client, mei, django_capture_on_commit_callbacks
):
    ask(api_client, django_capture_on_commit_callbacks, new_email="first@example.org")
    first = token_of(next(m for m in mail.outbox if m.to == ["first@example.org"]))
    ask(api_client, django_capture_on_commit_callbacks, new_email="second@example.org")
    old = api_client.post("/api/v1/auth/email-change/confirm/", {"token": first}, format="json")
    assert old.status_code == 400
    assert EmailChange.objects.get().new_email == "second@example.org"


def test_an_address_another_account_has_is_refused(
    api_client, mei, django_capture_on_commit_callbacks
):
    factories.UserFactory(email="li@example.com", first_name="Li")
    taken = ask(api_client, django_capture_on_commit_callbacks, new_email="LI@example.com")
    assert taken.status_code == 409
    body = taken.json()
    assert body["code"] == "email_taken"
    assert set(body) == {"code", "message", "fields"}  # nothing about the other account
    assert "Li" not in body["message"]
    assert mail.outbox == []
    assert not EmailChange.objects.exists()


def test_an_address_taken_before_the_link_is_used(
    api_client, mei, django_capture_on_commit_callbacks
):
    ask(api_client, django_capture_on_commit_callbacks)
    token = token_of(next(m for m in mail.outbox if m.to == ["mei.li@example.org"]))
    factories.UserFactory(email="mei.li@example.org")
    late = api_client.post("/api/v1/auth/email-change/confirm/", {"token": token}, format="json")
    assert (late.status_code, late.json()["code"]) == (409, "email_taken")
    mei.refresh_from_db()
    assert mei.email == "mei@example.com"


@pytest.mark.parametrize(
    ("body", "status", "code", "fields"),
    [
        (
            {"new_email": "new@example.org", "password": "wrong"},
            400,
            "password_incorrect",
            ["password"],
        ),
        ({"new_email": "MEI@example.com", "password": PASSWORD}, 400, "invalid", ["new_email"]),
        ({"new_email": "not-an-address", "password": PASSWORD}, 400, "invalid", ["new_email"]),
        ({"new_email": "new@example.org"}, 400, "invalid", ["password"]),
    ],
)
def test_wrong_requests_change_nothing(
    api_client, mei, django_capture_on_commit_callbacks, body, status, code, fields
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/me/email/", body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert sorted(response.json()["fields"]) == fields
    assert mail.outbox == []
    assert not EmailChange.objects.exists()


def test_signed_out_shoppers_cannot_ask(api_client):
    response = api_client.post(
        "/api/v1/me/email/", {"new_email": "x@example.org", "password": "x"}, format="json"
    )
    assert response.status_code == 401


def test_a_forged_token_changes_nothing(api_client, mei):
    response = api_client.post(
        "/api/v1/auth/email-change/confirm/", {"token": "forged-token"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "link_invalid")


def test_the_notice_masks_the_new_address():
    assert email_masked("mei.li@example.org") == "m***@example.org"

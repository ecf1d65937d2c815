import re

import pytest
from django.core import mail

from shop.accounts.models import DeviceToken, User
from shop.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db


def link_of(message) -> dict:
    uid, token = re.search(r"uid=([\w-]+)&token=([\w-]+)", message.body).groups()
    return {"uid": uid, "token": token}


def test_registering_sends_a_link_that_verifies_the_email_and_attaches_guest_orders(
    api_client, small_shop, django_capture_on_commit_callbacks
):
    guest_order = factories.order_with_stock(
        channel=small_shop.channel, lines=[(small_shop.variant, 1)], email="Mei@Example.com"
    )
    other_order = factories.order_with_stock(
        channel=small_shop.channel, lines=[(small_shop.variant, 1)], email="li@example.com"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register/",
            {"email": "mei@example.com", "password": "a-long-enough-passphrase"},
            format="json",
        )
    assert response.json()["user"]["email_verified"] is False
    assert Order.objects.get(pk=guest_order.pk).user is None  # not before the proof
    [message] = mail.outbox
    assert message.to == ["mei@example.com"]
    link = link_of(message)
    verified = api_client.post("/api/v1/auth/verify-email/", link, format="json")
    assert verified.status_code == 200, verified.json()
    assert verified.json()["email_verified"] is True
    mei = User.objects.get(email="mei@example.com")
    assert Order.objects.get(pk=guest_order.pk).user == mei
    assert Order.objects.get(pk=other_order.pk).user is None
    again = api_client.post("/api/v1/auth/verify-email/", link, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "link_invalid"


def test_a_forged_link_verifies_nothing(api_client):
    user = factories.UserFactory()
    response = api_client.post(
        "/api/v1/auth/verify-email/", {"uid": "MQ", "token": "abc-123"}, format="json"
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_password_reset_by_email_signs_every_device_out(
    api_client, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(email="mei@example.com")
    old_token = factories.api_token_for(user)
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("MEI@example.com", "nobody@example.com"):
            response = api_client.post(
                "/api/v1/auth/password-reset/", {"email": email}, format="json"
            )
            assert response.status_code == 202
    [message] = mail.outbox
    link = link_of(message)
    weak = api_client.post(
        "/api/v1/auth/password-reset/confirm/", {**link, "new_password": "123"}, format="json"
    )
    assert weak.status_code == 400
    assert list(weak.json()["fields"]) == ["new_password"]
    done = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {**link, "new_password": "a-brand-new-passphrase"},
        format="json",
    )
    assert done.status_code == 204
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
    assert user.email_verified_at is not None
    assert not DeviceToken.objects.filter(user=user).exists()
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {old_token}").status_code == 401
    reused = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {**link, "new_password": "another-new-passphrase"},
        format="json",
    )
    assert reused.status_code == 400
    assert reused.json()["code"] == "link_invalid"

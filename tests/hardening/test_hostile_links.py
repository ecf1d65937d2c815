"""Odd, forged and foreign tokens on the links the shop e-mails (a new e-mail address's
confirmation, an issued fapiao's download): a 400 ``link_invalid`` or a field error in
the error shape, never a 500, and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing
from django.utils import timezone
from rest_framework.test import APIClient

from shop.accounts.models import EmailChange, User
from shop.orders.fapiao.links import fapiao_link_token
from shop.orders.fapiao.models import FapiaoRequest
from tests import factories
from tests.hardening.hostile import assert_error_shape

pytestmark = pytest.mark.django_db

SALT = "shop.orders.fapiao.links"
ODD_TOKENS = [
    "",
    "x",
    "x" * 3_000,
    "a\u0000b",
    "%FF%FE",
    "::::",
    "W10:1:abc",
    signing.dumps(["1", 1]),  # signed, but for something else
    signing.dumps({"a": 1}, salt=SALT),
    signing.dumps([1], salt=SALT),
    signing.dumps(5, salt=SALT),
    signing.dumps(["x", "y", "z"], salt=SALT),
    signing.dumps([None, None], salt=SALT),
]


@pytest.mark.parametrize("token", ODD_TOKENS)
def test_odd_email_change_tokens(token: str):
    mei = factories.UserFactory(email="mei@example.com")
    EmailChange.objects.create(
        user=mei, new_email="new@example.org", digest="0" * 64, expires_at=timezone.now()
    )
    response = APIClient().post(
        "/api/v1/auth/email-change/confirm/", {"token": token}, format="json"
    )
    assert response.status_code == 400
    # A NUL is refused before the view, as everywhere; an empty or overlong token is a
    # field error; anything else is a link that does not work.
    if "\u0000" in token:
        expected = "invalid_character"
    elif not token or len(token) > 128:
        expected = "invalid"
    else:
        expected = "link_invalid"
    assert assert_error_shape(response)["code"] == expected
    assert User.objects.get(pk=mei.pk).email == "mei@example.com"
    assert EmailChange.objects.count() == 1


@pytest.mark.parametrize("token", [*ODD_TOKENS, "__foreign__"])
def test_odd_fapiao_link_tokens(token: Any):
    order = factories.order_with_stock(email="mei@example.com")
    fapiao = FapiaoRequest.objects.create(
        order=order,
        title_type="personal",
        title="李梅",
        status="issued",
        issued_at=timezone.now(),
        file_content=b"%PDF",
    )
    if token == "__foreign__":
        other = factories.order_with_stock(email="li@example.com")
        token = fapiao_link_token(
            FapiaoRequest.objects.create(
                order=other, title_type="personal", title="李伟", status="requested"
            )
        )
    response = APIClient().get(f"/api/v1/orders/{order.number}/fapiao/file/", {"token": token})
    if token == "":  # no link: the shopper's own way in, which this caller has not
        assert response.status_code == 404
    elif "\u0000" in token:
        assert (response.status_code, assert_error_shape(response)["code"]) == (
            400,
            "invalid_character",
        )
    else:
        assert (response.status_code, assert_error_shape(response)["code"]) == (
            400,
            "link_invalid",
        )
    assert FapiaoRequest.objects.get(pk=fapiao.pk).status == "issued"

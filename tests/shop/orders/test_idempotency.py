"""An Idempotency-Key names one request of one caller: the same request again answers
the same order; any other body or caller with the key is refused and learns nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from shop.carts.models import Cart
from shop.orders.errors import IdempotencyKeyReused
from shop.orders.idempotency import order_for_key
from shop.orders.models import Order
from shop.payments.models import Payment
from tests import factories
from tests.conftest import client_for
from tests.shop.conftest import ADDRESS_CN

pytestmark = pytest.mark.django_db

DETAILS = {
    "email": "first@example.com",
    "shipping_address": ADDRESS_CN,
    "shipping_method": "standard",
}


def _buy(client, shop, body, key="key-1"):
    return client.post(
        f"/api/v1/orders/?channel={shop.channel.code}",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def _body(shop, quantity=1, **changes):
    return {
        "lines": [{"sku": shop.variant.sku, "quantity": quantity}],
        **DETAILS,
        "payment_provider": "fake",
        **changes,
    }


def _stored():
    return Cart.objects.count(), Order.objects.count(), Payment.objects.count()


def test_the_same_request_again_answers_the_same_order(small_shop):
    first = _buy(APIClient(), small_shop, _body(small_shop))
    again = _buy(APIClient(), small_shop, _body(small_shop))

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "someone-else@example.com"},
        {"shipping_address": {**ADDRESS_CN, "street": "别处1号"}},
        {"quantity": 2},
        {"payment_provider": None},
    ],
    ids=["email", "address", "quantity", "no-payment"],
)
def test_another_request_with_the_key_is_refused_and_learns_nothing(small_shop, changes):
    first = _buy(APIClient(), small_shop, _body(small_shop))
    assert first.status_code == 201
    stored = _stored()
    quantity = changes.pop("quantity", 1)
    body = _body(small_shop, quantity, **changes)
    if body["payment_provider"] is None:
        del body["payment_provider"]

    response = _buy(APIClient(), small_shop, body)

    assert response.status_code == 409
    answer = response.json()
    assert answer["code"] == "idempotency_key_reused"
    assert set(answer) == {"code", "message", "fields"}
    text = response.content.decode()
    for secret in (
        first.json()["number"],
        "first@example.com",
        "client_secret",
        ADDRESS_CN["street"],
    ):
        assert secret not in text
    assert _stored() == stored


def test_another_shopper_with_the_same_key_and_body_is_refused(small_shop):
    buyer, other = factories.UserFactory(), factories.UserFactory()
    first = _buy(client_for(buyer), small_shop, _body(small_shop))
    assert first.status_code == 201
    stored = _stored()

    as_other = _buy(client_for(other), small_shop, _body(small_shop))
    as_guest = _buy(APIClient(), small_shop, _body(small_shop))

    assert (as_other.status_code, as_other.json()["code"]) == (409, "idempotency_key_reused")
    assert (as_guest.status_code, as_guest.json()["code"]) == (409, "idempotency_key_reused")
    assert _stored() == stored
    again = _buy(client_for(buyer), small_shop, _body(small_shop))
    assert (again.status_code, again.json()["number"]) == (200, first.json()["number"])


def test_a_key_of_the_step_by_step_checkout_is_its_cart_and_caller(small_shop):
    client = APIClient()
    channel = f"channel={small_shop.channel.code}"
    token = client.post(
        f"/api/v1/carts/?{channel}",
        {"lines": [{"sku": small_shop.variant.sku, "quantity": 1}], **DETAILS},
        format="json",
    ).json()["token"]
    url = f"/api/v1/carts/{token}/order/?{channel}"
    first = client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="key-2")
    assert first.status_code == 201

    again = client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="key-2")
    with_payment = client.post(
        url, {"payment_provider": "fake"}, format="json", HTTP_IDEMPOTENCY_KEY="key-2"
    )
    buy_now = _buy(client, small_shop, _body(small_shop), key="key-2")

    assert (again.status_code, again.json()["number"]) == (200, first.json()["number"])
    assert with_payment.status_code == 409
    assert buy_now.status_code == 409
    assert Order.objects.count() == 1


def test_a_key_is_looked_up_in_its_channel_only():
    order = factories.OrderFactory(idempotency_key="key-1", idempotency_fingerprint="f" * 64)
    elsewhere = factories.OrderFactory(idempotency_key="key-1", idempotency_fingerprint="e" * 64)
    channel = order.channel_id

    assert order_for_key(channel, "key-1", "f" * 64) == order
    assert order_for_key(elsewhere.channel_id, "key-1", "e" * 64) == elsewhere
    assert order_for_key(channel, "key-2", "f" * 64) is None
    assert order_for_key(factories.SalesChannelFactory().pk, "key-1", "f" * 64) is None
    with pytest.raises(IdempotencyKeyReused):
        order_for_key(channel, "key-1", "e" * 64)

"""The number of SQL queries of each buying step, pinned.

A change that adds a query to the hot path of a checkout shows up here first; the
benchmark (bench/README.md) shows what each query costs at 16 shoppers at once.
Counts are taken inside the test's transaction, so every atomic block of a service
shows up as a SAVEPOINT and its RELEASE.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests import factories
from tests.selling_factories import stock_with_units
from tests.shop.conftest import ADDRESS_CN, cart_url

pytestmark = pytest.mark.django_db

DETAILS = {
    "email": "buyer@example.com",
    "shipping_address": ADDRESS_CN,
    "shipping_method": "standard",
}


def _second_variant(small_shop):
    variant = factories.ProductVariantFactory(price=Decimal("100.00"))
    factories.ProductChannelListingFactory(product=variant.product, channel=small_shop.channel)
    stock_with_units(variant=variant, warehouse=small_shop.stock.warehouse, quantity=5)
    return variant


def _cart(client, small_shop) -> str:
    return client.post(cart_url(small_shop), format="json").json()["token"]


def _add(client, small_shop, token: str, sku: str):
    return client.post(
        cart_url(small_shop, token, "lines/"), {"sku": sku, "quantity": 1}, format="json"
    )


def test_cart_create_queries(api_client, small_shop, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = api_client.post(cart_url(small_shop), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(("lines_before", "queries"), [(0, 15), (1, 15), (2, 15)])
def test_cart_line_add_queries(
    api_client, small_shop, django_assert_num_queries, lines_before, queries
):
    """The answer prices every line of the cart in one query, however many there are."""
    token = _cart(api_client, small_shop)
    for _ in range(lines_before):
        _add(api_client, small_shop, token, _second_variant(small_shop).sku)

    with django_assert_num_queries(queries):
        response = _add(api_client, small_shop, token, small_shop.variant.sku)

    assert response.status_code == 201
    assert len(response.json()["lines"]) == lines_before + 1


def test_checkout_details_queries(api_client, small_shop, django_assert_num_queries):
    token = _cart(api_client, small_shop)
    _add(api_client, small_shop, token, small_shop.variant.sku)

    with django_assert_num_queries(10):
        response = api_client.patch(
            cart_url(small_shop, token, "checkout/"), DETAILS, format="json"
        )

    assert response.status_code == 200


@pytest.mark.parametrize(("lines", "queries"), [(1, 28), (2, 29)])
def test_order_place_queries(api_client, small_shop, django_assert_num_queries, lines, queries):
    """Each line costs one more: its stock hold; prices, listings, drops, free units and
    agreements are read once for all lines."""
    token = _cart(api_client, small_shop)
    _add(api_client, small_shop, token, small_shop.variant.sku)
    if lines == 2:
        _add(api_client, small_shop, token, _second_variant(small_shop).sku)
    api_client.patch(cart_url(small_shop, token, "checkout/"), DETAILS, format="json")

    with django_assert_num_queries(queries):
        response = api_client.post(
            cart_url(small_shop, token, "order/"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
        )

    assert response.status_code == 201
    assert len(response.json()["lines"]) == lines


def test_order_place_again_with_the_same_key_queries(
    api_client, small_shop, django_assert_num_queries
):
    token = _cart(api_client, small_shop)
    _add(api_client, small_shop, token, small_shop.variant.sku)
    api_client.patch(cart_url(small_shop, token, "checkout/"), DETAILS, format="json")
    url = cart_url(small_shop, token, "order/")
    api_client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    with django_assert_num_queries(7):
        response = api_client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 200


def _placed_order_payment(client, small_shop, key: str) -> int:
    token = _cart(client, small_shop)
    _add(client, small_shop, token, small_shop.variant.sku)
    client.patch(cart_url(small_shop, token, "checkout/"), DETAILS, format="json")
    number = client.post(
        cart_url(small_shop, token, "order/"), format="json", HTTP_IDEMPOTENCY_KEY=key
    ).json()["number"]
    started = client.post(
        f"/api/v1/orders/{number}/payments/",
        {"email": DETAILS["email"], "provider": "fake"},
        format="json",
    )
    assert started.status_code == 201
    return int(started.json()["id"])


def _confirm(client, payment_id: int):
    return client.post(
        f"/api/v1/payments/{payment_id}/fake/confirm/",
        {"outcome": "succeed", "email": DETAILS["email"]},
        format="json",
    )


def test_payment_confirm_queries(api_client, small_shop, django_assert_num_queries):
    """Confirming a payment once the partner's settlement of the month is open (every
    payment but the month's first): marks the order paid and writes its ledger."""
    earlier = _placed_order_payment(api_client, small_shop, "k-1")
    assert _confirm(api_client, earlier).status_code == 200
    payment_id = _placed_order_payment(api_client, small_shop, "k-2")

    with django_assert_num_queries(38):
        response = _confirm(api_client, payment_id)

    assert response.status_code == 200
    assert response.json()["status"] == "succeeded"
    assert response.json()["order_status"] == "paid"

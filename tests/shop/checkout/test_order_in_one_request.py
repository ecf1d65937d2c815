"""Buy now in one request: ``POST /api/v1/orders/`` with the lines and checkout details
places the order (and starts its payment) at once. A refused request stores nothing,
not even the cart; the Idempotency-Key makes a retry answer with the same order."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from catalog.models import Stock
from shop.carts.models import Cart, CartLine, CartStatus
from shop.orders.models import Order, OrderStatus
from shop.payments.models import Payment
from tests.shop.conftest import ADDRESS_CN

pytestmark = pytest.mark.django_db

DETAILS = {
    "email": "Buyer@Example.com",
    "shipping_address": ADDRESS_CN,
    "shipping_method": "standard",
}


def _buy(client, shop, body, key="buy-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        f"/api/v1/orders/?channel={shop.channel.code}", body, format="json", **headers
    )


def _body(shop, quantity=1, **extra):
    return {"lines": [{"sku": shop.variant.sku, "quantity": quantity}], **DETAILS, **extra}


def _stored():
    return (
        Cart.objects.count(),
        CartLine.objects.count(),
        Order.objects.count(),
        Payment.objects.count(),
        Stock.objects.values_list("quantity_reserved", flat=True).first(),
    )


def test_the_order_is_placed_and_its_payment_started_in_one_request(api_client, small_shop):
    response = _buy(api_client, small_shop, _body(small_shop, 2, payment_provider="fake"))

    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get(number=body["number"])
    payment = Payment.objects.get(order=order)
    assert body["status"] == "pending_payment"
    assert body["email"] == "buyer@example.com"
    assert body["total"] == "268.00"
    assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [
        (small_shop.variant.sku, 2)
    ]
    assert body["payment"]["id"] == payment.pk
    assert body["payment"]["status"] == "pending"
    assert body["payment"]["amount"] == "268.00"
    # The cart is kept as the order's record, already ordered.
    cart = Cart.objects.get(pk=order.cart_id)
    assert cart.status == CartStatus.ORDERED
    assert list(cart.lines.values_list("variant_id", "quantity")) == [(small_shop.variant.pk, 2)]
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 2

    confirmed = api_client.post(
        f"/api/v1/payments/{payment.pk}/fake/confirm/",
        {"outcome": "succeed", "email": "buyer@example.com"},
        format="json",
    )
    assert confirmed.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.PAID, Decimal("268.00"))


def test_without_a_provider_the_order_waits_for_its_payment(api_client, small_shop):
    response = _buy(api_client, small_shop, _body(small_shop))

    assert response.status_code == 201
    assert response.json()["payment"] is None
    assert Payment.objects.count() == 0
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT


def test_the_same_key_answers_the_same_order_and_stores_nothing_more(api_client, small_shop):
    first = _buy(api_client, small_shop, _body(small_shop, payment_provider="fake")).json()
    stored = _stored()

    again = _buy(api_client, small_shop, _body(small_shop, payment_provider="fake"))

    assert again.status_code == 200
    assert again.json()["number"] == first["number"]
    assert again.json()["payment"]["id"] == first["payment"]["id"]
    assert _stored() == stored


def test_another_key_is_another_order(api_client, small_shop):
    first = _buy(api_client, small_shop, _body(small_shop), key="a").json()
    second = _buy(api_client, small_shop, _body(small_shop), key="b")

    assert second.status_code == 201
    assert second.json()["number"] != first["number"]
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 2


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"key": None}, 400, "idempotency_key_required"),
        ({"key": "k" * 101}, 400, "idempotency_key_required"),
        ({"lines": []}, 400, "invalid"),
        ({"lines": None}, 400, "invalid"),
        ({"lines": [{"sku": "NO-SUCH-SKU", "quantity": 1}]}, 404, "variant_not_found"),
        ({"quantity": 11}, 409, "insufficient_stock"),
        ({"email": None}, 400, "checkout_incomplete"),
        ({"shipping_method": "teleport"}, 400, "shipping_method_unavailable"),
        ({"voucher_code": "NOPE"}, 400, "voucher_invalid"),
        ({"payment_provider": "cash"}, 400, "invalid"),
        ({"payment_provider": "stripe"}, 400, "payment_provider_not_enabled"),
    ],
)
def test_a_refused_order_stores_nothing(api_client, small_shop, change, status, code):
    change = dict(change)
    key = change.pop("key", "buy-1")
    body = _body(small_shop, change.pop("quantity", 1))
    for name, value in change.items():
        if value is None:
            body.pop(name)
        else:
            body[name] = value
    before = _stored()

    response = _buy(api_client, small_shop, body, key=key)

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert _stored() == before


def test_a_sold_out_line_is_named_and_nothing_is_stored(api_client, small_shop):
    stock = small_shop.stock
    stock.quantity_reserved = stock.quantity
    stock.save(update_fields=["quantity_reserved"])
    before = _stored()

    response = _buy(api_client, small_shop, _body(small_shop))

    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"
    assert response.json()["fields"]["lines"] == [small_shop.variant.sku]
    assert _stored() == before


def test_the_purchase_limit_counts_earlier_orders(api_client, small_shop):
    product = small_shop.product
    product.purchase_limit = 2
    product.save(update_fields=["purchase_limit"])
    assert _buy(api_client, small_shop, _body(small_shop, 2), key="a").status_code == 201
    before = _stored()

    again = _buy(api_client, small_shop, _body(small_shop), key="b")

    assert again.status_code == 409
    assert again.json()["code"] == "limit_exceeded"
    assert _stored() == before


def test_listing_orders_still_needs_a_signed_in_shopper(api_client, small_shop):
    _buy(api_client, small_shop, _body(small_shop))

    assert api_client.get("/api/v1/orders/").status_code in (401, 403)


def test_buying_is_throttled_at_the_checkout_rate(api_client, small_shop, settings):
    from django.core.cache import cache

    cache.clear()
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "checkout": "2/min"},
    }
    answers = [
        _buy(api_client, small_shop, _body(small_shop), key=f"k-{n}").status_code for n in range(3)
    ]

    assert answers == [201, 201, 429]


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_with_one_key_make_one_order(small_shop):
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def buy() -> None:
        try:
            barrier.wait()
            answers.append(_buy(APIClient(), small_shop, _body(small_shop)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [200, 201]
    assert Order.objects.count() == 1
    assert Cart.objects.count() == 1
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 1

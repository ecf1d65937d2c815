from decimal import Decimal

import pytest

from catalog.models import Stock
from shop.carts.models import Cart, CartStatus
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEvent, OrderStatus
from tests.shop.conftest import ADDRESS_CN, cart_ready, cart_url

pytestmark = pytest.mark.django_db


def test_cart_prices_come_from_the_server(api_client, small_shop):
    token = api_client.post(cart_url(small_shop), format="json").json()["token"]
    response = api_client.post(
        cart_url(small_shop, token, "lines/"),
        {"sku": small_shop.variant.sku, "quantity": 2, "unit_price": "0.01"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["lines"][0]["unit_price"] == "128.00"
    assert body["lines"][0]["line_total"] == "256.00"
    assert body["totals"] == {
        "currency": "CNY",
        "subtotal": "256.00",
        "shipping": "0.00",
        "discount": "0.00",
        "total": "256.00",
    }


def test_adding_the_same_variant_again_adds_to_its_line(api_client, small_shop):
    token = api_client.post(cart_url(small_shop), format="json").json()["token"]
    for _ in range(2):
        api_client.post(
            cart_url(small_shop, token, "lines/"),
            {"sku": small_shop.variant.sku, "quantity": 2},
            format="json",
        )
    body = api_client.get(cart_url(small_shop, token)).json()
    assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [
        (small_shop.variant.sku, 4)
    ]


def test_place_order_holds_stock_and_records_what_was_sold(api_client, small_shop):
    token = cart_ready(api_client, small_shop, quantity=3)
    response = api_client.post(
        cart_url(small_shop, token, "order/"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_payment"
    assert body["total"] == "396.00"  # 3 x 128.00 + 12.00 shipping
    assert body["shipping_price"] == "12.00"
    assert body["lines"][0]["unit_price"] == "128.00"
    assert body["lines"][0]["quantity"] == 3
    order = Order.objects.get(number=body["number"])
    assert order.channel == small_shop.channel
    assert order.lines.get().channel == small_shop.channel
    assert order.shipping_address["postcode"] == ADDRESS_CN["postcode"]
    stock = Stock.objects.get(pk=small_shop.stock.pk)
    assert (stock.quantity, stock.quantity_reserved) == (10, 3)
    assert Reservation.objects.get(order_line__order=order).status == ReservationStatus.ACTIVE
    assert list(OrderEvent.objects.filter(order=order).values_list("type", flat=True)) == ["placed"]
    assert Cart.objects.get(token=token).status == CartStatus.ORDERED


def test_same_idempotency_key_returns_the_same_order(api_client, small_shop):
    token = cart_ready(api_client, small_shop)
    first = api_client.post(
        cart_url(small_shop, token, "order/"), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    second = api_client.post(
        cart_url(small_shop, token, "order/"), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["number"] == second.json()["number"]
    assert Order.objects.count() == 1
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 1


def test_a_second_key_for_an_ordered_cart_is_refused(api_client, small_shop):
    token = cart_ready(api_client, small_shop)
    api_client.post(cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="a")
    response = api_client.post(cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="b")
    assert response.status_code == 409
    assert response.json()["code"] == "cart_already_ordered"
    assert Order.objects.count() == 1


def test_place_order_without_idempotency_key_is_refused(api_client, small_shop):
    token = cart_ready(api_client, small_shop)
    response = api_client.post(cart_url(small_shop, token, "order/"))
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert Order.objects.count() == 0


def test_incomplete_checkout_is_refused_with_the_missing_fields(api_client, small_shop):
    token = api_client.post(cart_url(small_shop), format="json").json()["token"]
    api_client.post(
        cart_url(small_shop, token, "lines/"), {"sku": small_shop.variant.sku, "quantity": 1}
    )
    response = api_client.post(cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "checkout_incomplete"
    assert set(body["fields"]) == {"email", "shipping_address", "shipping_method"}
    assert Order.objects.count() == 0
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 0


def test_stock_sold_meanwhile_fails_the_order_and_changes_nothing(api_client, small_shop):
    token = cart_ready(api_client, small_shop, quantity=2)
    Stock.objects.filter(pk=small_shop.stock.pk).update(quantity_reserved=10)
    response = api_client.post(cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"
    assert Order.objects.count() == 0
    assert Cart.objects.get(token=token).status == CartStatus.OPEN
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 10


def test_shopper_follows_order_by_number_and_email(api_client, small_shop):
    token = cart_ready(api_client, small_shop, email="guest@example.com")
    number = api_client.post(
        cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="x"
    ).json()["number"]
    found = api_client.post(
        "/api/v1/orders/lookup/", {"number": number, "email": "GUEST@example.com"}, format="json"
    )
    assert found.status_code == 200
    assert found.json()["number"] == number
    wrong = api_client.post(
        "/api/v1/orders/lookup/", {"number": number, "email": "other@example.com"}, format="json"
    )
    assert wrong.status_code == 404
    assert wrong.json()["code"] == "order_not_found"


def test_shopper_cancels_unpaid_order_and_stock_comes_back(api_client, small_shop):
    token = cart_ready(api_client, small_shop, quantity=2, email="guest@example.com")
    number = api_client.post(
        cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="x"
    ).json()["number"]
    response = api_client.post(
        f"/api/v1/orders/{number}/cancel/", {"email": "guest@example.com"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 0
    again = api_client.post(
        f"/api/v1/orders/{number}/cancel/", {"email": "guest@example.com"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_transition"


def test_signed_in_shopper_lists_only_own_orders(small_shop, user):
    from rest_framework.test import APIClient

    from tests import factories

    mine, theirs = APIClient(), APIClient()
    mine.force_authenticate(user)
    other = factories.UserFactory()
    theirs.force_authenticate(other)
    token = cart_ready(mine, small_shop, email=user.email)
    number = mine.post(cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="x").json()[
        "number"
    ]
    assert [o["number"] for o in mine.get("/api/v1/orders/").json()["results"]] == [number]
    assert theirs.get("/api/v1/orders/").json()["results"] == []
    assert mine.get(f"/api/v1/orders/{number}/").status_code == 200
    assert theirs.get(f"/api/v1/orders/{number}/").status_code == 404


def test_free_shipping_above_threshold(api_client, small_shop):
    small_shop.shipping.free_above = Decimal("200.00")
    small_shop.shipping.save()
    token = cart_ready(api_client, small_shop, quantity=2)
    totals = api_client.get(cart_url(small_shop, token)).json()["totals"]
    assert totals["shipping"] == "0.00"
    assert totals["total"] == "256.00"


def test_order_expires_and_gives_stock_back(api_client, small_shop):
    from datetime import timedelta

    from django.utils import timezone

    from shop.orders.tasks import orders_expire_unpaid

    token = cart_ready(api_client, small_shop, quantity=4)
    number = api_client.post(
        cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="x"
    ).json()["number"]
    Order.objects.filter(number=number).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert orders_expire_unpaid() == 1
    assert Order.objects.get(number=number).status == OrderStatus.EXPIRED
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 0
    assert orders_expire_unpaid() == 0


def test_placing_and_paying_count_in_the_metrics(
    api_client, small_shop, django_capture_on_commit_callbacks
):
    from shop.core.metrics import _event_values

    token = cart_ready(api_client, small_shop, email="guest@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        number = api_client.post(
            cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="m"
        ).json()["number"]
    with django_capture_on_commit_callbacks(execute=True):
        payment = api_client.post(
            f"/api/v1/orders/{number}/payments/",
            {"provider": "fake", "email": "guest@example.com"},
        ).json()
        api_client.post(
            f"/api/v1/payments/{payment['id']}/fake/confirm/",
            {"outcome": "succeed", "email": "guest@example.com"},
        )
    assert _event_values("orders_placed") == {"museum-web": 1.0}
    assert _event_values("orders_paid") == {"museum-web": 1.0}

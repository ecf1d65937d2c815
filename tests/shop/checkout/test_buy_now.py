"""The one-step checkout a storefront's "buy now" uses: a cart created with its lines and
details, the order placed with its payment started, then paid. Every rule of the step
by step API holds, and a refused request stores nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import Stock
from shop.carts.models import Cart, CartLine, CartStatus
from shop.orders.models import Order, OrderStatus
from shop.payments.models import Payment, PaymentStatus
from tests import factories
from tests.factories import stock_with_units
from tests.shop.conftest import ADDRESS_CN, cart_url

pytestmark = pytest.mark.django_db

DETAILS = {
    "email": "Buyer@Example.com",
    "shipping_address": ADDRESS_CN,
    "shipping_method": "standard",
}


def _create(client, shop, lines, **details):
    return client.post(cart_url(shop), {"lines": lines, **details}, format="json")


def _line(shop, quantity=1):
    return [{"sku": shop.variant.sku, "quantity": quantity}]


def _place(client, shop, token, key="k-1", **body):
    return client.post(
        cart_url(shop, token, "order/"), body, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def _stored():
    return (Cart.objects.count(), CartLine.objects.count(), Order.objects.count())


def test_a_cart_is_created_with_its_lines_and_details(api_client, small_shop):
    response = _create(api_client, small_shop, _line(small_shop, 2), **DETAILS)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in body["lines"]] == [
        (small_shop.variant.sku, 2, "128.00")
    ]
    assert body["email"] == "buyer@example.com"
    assert body["shipping_address"] == ADDRESS_CN
    assert body["shipping_method"]["code"] == "standard"
    assert body["totals"] == {
        "currency": "CNY",
        "subtotal": "256.00",
        "shipping": "12.00",
        "discount": "0.00",
        "total": "268.00",
    }
    cart = Cart.objects.get(token=body["token"])
    assert (cart.status, cart.email, cart.shipping_method_id) == (
        CartStatus.OPEN,
        "buyer@example.com",
        small_shop.shipping.pk,
    )
    assert list(cart.lines.values_list("variant_id", "quantity")) == [(small_shop.variant.pk, 2)]
    # Nothing is held until the order is placed.
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 0


def test_an_empty_body_still_creates_an_empty_cart(api_client, small_shop):
    response = api_client.post(cart_url(small_shop), {}, format="json")

    assert response.status_code == 201
    assert response.json()["lines"] == []
    assert response.json()["totals"]["total"] == "0.00"


def test_lines_of_the_same_variant_and_text_become_one_line(api_client, small_shop):
    sku = small_shop.variant.sku
    response = _create(
        api_client, small_shop, [{"sku": sku, "quantity": 1}, {"sku": sku, "quantity": 2}]
    )

    assert response.status_code == 201
    assert [(line["sku"], line["quantity"]) for line in response.json()["lines"]] == [(sku, 3)]


def test_two_variants_make_two_lines_priced_in_the_channel(api_client, small_shop):
    other = factories.ProductVariantFactory(price=Decimal("100.00"))
    factories.ProductChannelListingFactory(product=other.product, channel=small_shop.channel)
    stock_with_units(variant=other, warehouse=small_shop.stock.warehouse, quantity=5)
    factories.VariantChannelPriceFactory(
        variant=other, channel=small_shop.channel, price=Decimal("90.00")
    )

    response = _create(
        api_client,
        small_shop,
        [{"sku": small_shop.variant.sku, "quantity": 1}, {"sku": other.sku, "quantity": 1}],
    )

    assert response.status_code == 201
    body = response.json()
    assert [(line["sku"], line["unit_price"]) for line in body["lines"]] == [
        (small_shop.variant.sku, "128.00"),
        (other.sku, "90.00"),
    ]
    assert body["totals"]["subtotal"] == "218.00"


@pytest.mark.parametrize(
    ("lines", "details", "status", "code"),
    [
        ([{"sku": "NO-SUCH-SKU", "quantity": 1}], {}, 404, "variant_not_found"),
        ([{"sku": "{sku}", "quantity": 11}], {}, 409, "insufficient_stock"),
        ([{"sku": "{sku}", "quantity": 0}], {}, 400, "invalid"),
        (
            [{"sku": "{sku}", "quantity": 1}],
            {"shipping_method": "teleport"},
            400,
            "shipping_method_unavailable",
        ),
        ([{"sku": "{sku}", "quantity": 1}], {"shipping_address": {"name": "x"}}, 400, "invalid"),
        ([{"sku": "{sku}", "quantity": 1}], {"voucher_code": "NOPE"}, 400, "voucher_invalid"),
        (
            [{"sku": "{sku}", "quantity": 1, "personalisation": "王"}],
            {},
            400,
            "personalisation_invalid",
        ),
        ([{"sku": "{sku}", "quantity": 1}] * 51, {}, 400, "invalid"),
        ("not a list", {}, 400, "invalid"),
    ],
)
def test_a_refused_cart_stores_nothing(api_client, small_shop, lines, details, status, code):
    if isinstance(lines, list):
        lines = [{**line, "sku": line["sku"].format(sku=small_shop.variant.sku)} for line in lines]
    before = _stored()

    response = _create(api_client, small_shop, lines, **details)

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert _stored() == before


def test_a_line_refused_by_a_rule_is_named(api_client, small_shop):
    stock = small_shop.stock
    stock.quantity_reserved = stock.quantity
    stock.save(update_fields=["quantity_reserved"])

    response = _create(api_client, small_shop, _line(small_shop))

    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"
    assert response.json()["fields"]["lines"] == [small_shop.variant.sku]
    assert Cart.objects.count() == 0


def test_the_purchase_limit_counts_the_earlier_orders_of_the_given_email(api_client, small_shop):
    product = small_shop.product
    product.purchase_limit = 2
    product.save(update_fields=["purchase_limit"])
    first = _create(api_client, small_shop, _line(small_shop, 2), **DETAILS)
    assert _place(api_client, small_shop, first.json()["token"]).status_code == 201
    before = _stored()

    again = _create(api_client, small_shop, _line(small_shop), **DETAILS)

    assert again.status_code == 409
    assert again.json()["code"] == "limit_exceeded"
    assert _stored() == before


def test_an_order_placed_with_its_payment_is_paid_in_one_more_step(api_client, small_shop):
    token = _create(api_client, small_shop, _line(small_shop), **DETAILS).json()["token"]

    placed = _place(api_client, small_shop, token, payment_provider="fake")

    assert placed.status_code == 201, placed.json()
    body = placed.json()
    order = Order.objects.get(number=body["number"])
    payment = Payment.objects.get(order=order)
    assert body["status"] == "pending_payment"
    assert body["payment"] == {
        "id": payment.pk,
        "provider": "fake",
        "status": "pending",
        "client_secret": f"fake_pi_{payment.pk}_secret",
        "action": {},
        "amount": "140.00",
        "currency": "CNY",
        "order_number": order.number,
        "order_status": "pending_payment",
        "failure_code": "",
        "failure_message": "",
    }
    assert "payment_error" not in body
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 1

    confirmed = api_client.post(
        f"/api/v1/payments/{payment.pk}/fake/confirm/",
        {"outcome": "succeed", "email": "buyer@example.com"},
        format="json",
    )

    assert confirmed.status_code == 200
    assert confirmed.json()["order_status"] == "paid"
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.PAID, Decimal("140.00"))


def test_without_a_provider_the_answer_has_no_payment(api_client, small_shop):
    token = _create(api_client, small_shop, _line(small_shop), **DETAILS).json()["token"]

    placed = _place(api_client, small_shop, token)

    assert placed.status_code == 201
    assert placed.json()["payment"] is None
    assert Payment.objects.count() == 0


def test_the_same_key_again_answers_the_same_order_and_payment(api_client, small_shop):
    token = _create(api_client, small_shop, _line(small_shop), **DETAILS).json()["token"]
    first = _place(api_client, small_shop, token, payment_provider="fake").json()

    again = _place(api_client, small_shop, token, payment_provider="fake")

    assert again.status_code == 200
    assert again.json()["number"] == first["number"]
    assert again.json()["payment"]["id"] == first["payment"]["id"]
    assert Payment.objects.count() == 1

    api_client.post(
        f"/api/v1/payments/{first['payment']['id']}/fake/confirm/",
        {"outcome": "succeed", "email": "buyer@example.com"},
        format="json",
    )
    paid = _place(api_client, small_shop, token, payment_provider="fake")

    assert paid.status_code == 200
    assert paid.json()["status"] == "paid"
    assert paid.json()["payment"]["status"] == "succeeded"
    assert Payment.objects.count() == 1


def test_a_provider_the_shop_does_not_take_places_nothing(api_client, small_shop):
    token = _create(api_client, small_shop, _line(small_shop), **DETAILS).json()["token"]

    refused = _place(api_client, small_shop, token, payment_provider="stripe")

    assert refused.status_code == 400
    assert refused.json()["code"] == "payment_provider_not_enabled"
    assert Order.objects.count() == 0
    assert Cart.objects.get(token=token).status == CartStatus.OPEN
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 0


def test_an_unknown_provider_is_bad_input(api_client, small_shop):
    token = _create(api_client, small_shop, _line(small_shop), **DETAILS).json()["token"]

    refused = _place(api_client, small_shop, token, payment_provider="cash")

    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"
    assert Order.objects.count() == 0


def test_a_provider_down_leaves_the_order_placed_and_says_why(
    api_client, small_shop, fake_stripe, settings
):
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    fake_stripe.fail_next(500)
    token = _create(api_client, small_shop, _line(small_shop), **DETAILS).json()["token"]

    placed = _place(api_client, small_shop, token, payment_provider="stripe")

    assert placed.status_code == 201
    body = placed.json()
    assert body["status"] == "pending_payment"
    assert body["payment"] is None
    assert body["payment_error"]["code"] == "payment_provider_unavailable"
    order = Order.objects.get(number=body["number"])
    # The shopper pays later through the order's payments; the stock stays held.
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 1
    retried = api_client.post(
        f"/api/v1/orders/{order.number}/payments/",
        {"provider": "stripe", "email": "buyer@example.com"},
        format="json",
    )
    assert retried.status_code == 201
    assert retried.json()["status"] == PaymentStatus.PENDING

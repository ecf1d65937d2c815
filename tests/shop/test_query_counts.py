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
from tests.factories import stock_with_units
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


@pytest.mark.parametrize(("lines_before", "queries"), [(0, 10), (1, 10), (2, 10)])
def test_cart_line_add_queries(
    api_client, small_shop, django_assert_num_queries, lines_before, queries
):
    """The channel, the cart, the variant; under the cart's lock (one update) its lines,
    then one query for the rules and the prices of every line, however many there are;
    the insert. The test's own look-up of the SKU is the tenth."""
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

    # channel, cart, shipping method; one conditional update; the lines with their prices
    with django_assert_num_queries(7):
        response = api_client.patch(
            cart_url(small_shop, token, "checkout/"), DETAILS, format="json"
        )

    assert response.status_code == 200


@pytest.mark.parametrize(("lines", "queries"), [(1, 17), (2, 20)])
def test_order_place_queries(api_client, small_shop, django_assert_num_queries, lines, queries):
    """Prices, listings, drops, free units and agreements are read once for all lines;
    a second line costs its stock hold and, as two stock rows are held, the savepoint
    that gives the first back should the second be gone. The cart is locked, then its
    lines read (the ORM reads a cart's lines in a statement of their own)."""
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

    # channel, cart, the key's fingerprint, then its order, its lines and events (a new
    # key, the usual case, reads the fingerprint alone and finds nothing)
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


@pytest.mark.postgresql  # SQLite has no sequence to take ids from: a statement more
def test_payment_confirm_queries(api_client, small_shop, django_assert_num_queries):
    """Confirming a payment once the partner's settlement of the month is open (every
    payment but the month's first): marks the order paid and writes its ledger. The
    fake provider completes the charge and is read back (two statements); the order,
    then its payments, are locked (two); the lines' held units are counted and
    confirmed by one; the order's new status is written, then its event (two: the
    ORM's update and insert); the lines' terms come with their main warehouses; the
    partners' timezones come with their open settlements; a payment marked paid for the
    first time does not look for its entries first. (This shop's product has no
    agreement, so the terms are looked for again at the payment: four of the queries.)"""
    earlier = _placed_order_payment(api_client, small_shop, "k-1")
    assert _confirm(api_client, earlier).status_code == 200
    payment_id = _placed_order_payment(api_client, small_shop, "k-2")

    with django_assert_num_queries(20):
        response = _confirm(api_client, payment_id)

    assert response.status_code == 200
    assert response.json()["status"] == "succeeded"
    assert response.json()["order_status"] == "paid"


def test_payment_start_queries(api_client, small_shop, django_assert_num_queries):
    """The order; in one transaction its lock, its payments' locks and the new payment;
    the fake provider's charge, asked for as any provider is, outside the shop's locks
    (created unless it exists, in one statement); in a second transaction the order's
    lock, the reference stored and the event."""
    token = _cart(api_client, small_shop)
    _add(api_client, small_shop, token, small_shop.variant.sku)
    api_client.patch(cart_url(small_shop, token, "checkout/"), DETAILS, format="json")
    number = api_client.post(
        cart_url(small_shop, token, "order/"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    ).json()["number"]

    with django_assert_num_queries(12):
        response = api_client.post(
            f"/api/v1/orders/{number}/payments/",
            {"email": DETAILS["email"], "provider": "fake"},
            format="json",
        )

    assert response.status_code == 201
    assert response.json()["status"] == "pending"


def test_cart_get_queries(api_client, small_shop, django_assert_num_queries):
    token = _cart(api_client, small_shop)
    _add(api_client, small_shop, token, small_shop.variant.sku)
    _add(api_client, small_shop, token, _second_variant(small_shop).sku)

    # channel; the cart with its shipping method and voucher; its lines with their prices
    # (the ORM reads a cart's lines in a statement of their own)
    with django_assert_num_queries(3):
        response = api_client.get(cart_url(small_shop, token))

    assert response.status_code == 200
    assert len(response.json()["lines"]) == 2


def test_order_place_sold_out_queries(api_client, small_shop, django_assert_num_queries):
    """A shopper too late for the last unit is told before anything is locked or
    written: the channel, the cart, the order its key placed (none), and one query for
    the free units of the cart's variants."""
    token = _cart(api_client, small_shop)
    _add(api_client, small_shop, token, small_shop.variant.sku)
    api_client.patch(cart_url(small_shop, token, "checkout/"), DETAILS, format="json")
    stock = small_shop.stock
    stock.quantity_reserved = stock.quantity
    stock.save(update_fields=["quantity_reserved"])

    with django_assert_num_queries(4):
        response = api_client.post(
            cart_url(small_shop, token, "order/"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
        )

    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"


@pytest.mark.postgresql  # SQLite has no sequence to take ids from: a statement more
def test_buy_now_queries(api_client, small_shop, django_assert_num_queries):
    """The storefront's one-step checkout: a cart with its line and details; the order
    placed, then its payment started once the order is committed, as any payment starts
    (test_payment_start_queries)."""
    sku = small_shop.variant.sku
    # channel; variants with their facts, shipping method; the cart and its lines
    with django_assert_num_queries(7):
        created = api_client.post(
            cart_url(small_shop),
            {"lines": [{"sku": sku, "quantity": 1}], **DETAILS},
            format="json",
        )
    assert created.status_code == 201
    token = created.json()["token"]

    # channel, cart, the key's order, the early look; the cart's lock, then its lines,
    # the order's id, the order, agreements, lines, free units, the hold, the cart, the
    # event; then the payment started: eleven statements with its two transactions
    with django_assert_num_queries(28):
        placed = api_client.post(
            cart_url(small_shop, token, "order/"),
            {"payment_provider": "fake"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
    assert placed.status_code == 201
    assert placed.json()["payment"]["status"] == "pending"


@pytest.mark.postgresql  # SQLite has no sequence to take ids from: a statement more
def test_order_in_one_request_queries(api_client, small_shop, django_assert_num_queries):
    """Buy now in one request: the cart, its line and the order written in one
    transaction, the payment started once it is committed."""
    sku = small_shop.variant.sku
    # channel, the key's order (none); variants with their facts, shipping method; in one
    # transaction (a savepoint here) the cart, its line, the order's id, the order,
    # agreements, order line, free units, the hold (update and row), the event; then the
    # payment started: eleven statements with its two transactions
    with django_assert_num_queries(27):
        placed = api_client.post(
            f"/api/v1/orders/?channel={small_shop.channel.code}",
            {"lines": [{"sku": sku, "quantity": 1}], **DETAILS, "payment_provider": "fake"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
    assert placed.status_code == 201
    assert placed.json()["payment"]["status"] == "pending"

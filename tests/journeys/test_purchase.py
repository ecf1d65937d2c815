"""A shopper buys: step by step as the README shows it, in one request as a storefront's
"buy now" does, and signed in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.journeys import demo
from tests.journeys.shop_api import (
    API,
    PAID_STATUSES,
    ShopApi,
    idempotency_key,
    signed_in,
    unique_email,
    wait_for,
)
from tests.journeys.stacks import Stack

pytestmark = pytest.mark.journey


def money(value: str) -> Decimal:
    return Decimal(value)


def pay_with_fake(api: ShopApi, payment_id: int, email: str) -> dict:
    payment = api.post(
        f"{API}/payments/{payment_id}/fake/confirm/",
        {"outcome": "succeed", "email": email},
        expect=200,
    )
    assert payment["status"] == "succeeded"
    assert payment["order_status"] in PAID_STATUSES
    return payment


def test_a_guest_buys_step_by_step_as_the_readme_shows(stack: Stack):
    storefront = ShopApi(stack.base_url, channel=demo.MUSEUM_WEB)
    email = unique_email("reader")
    price = _fan_found(storefront)
    token, totals = _cart_checked_out(storefront, email, price)
    order = _order_placed_once(storefront, token, totals)
    number = order["number"]

    # 5. pay with the offline fake provider
    payment = storefront.post(
        f"{API}/orders/{number}/payments/", {"provider": "fake", "email": email}
    )
    assert (payment["status"], payment["amount"]) == ("pending", order["total"])
    pay_with_fake(storefront, payment["id"], email)

    _followed_as_guest(stack, number, email, order["total"])


def _fan_found(storefront: ShopApi) -> Decimal:
    """1. find the fan in English, then its page: the price of the small one."""
    found = storefront.get(f"{API}/products/", params={"q": "fan", "lang": "en"})
    assert "fu-folding-fan" in [product["slug"] for product in found["results"]]
    product = storefront.get(f"{API}/products/fu-folding-fan/")
    variant = next(v for v in product["variants"] if v["sku"] == "BW-FAN-01-S")
    assert variant["availability"] in ("in_stock", "low")
    return money(variant["price"])


def _cart_checked_out(storefront: ShopApi, email: str, price: Decimal) -> tuple[str, dict]:
    """2. a cart and a line; 3. shipping methods, then the details with the welcome voucher."""
    token = storefront.post(f"{API}/carts/")["token"]
    cart = storefront.post(f"{API}/carts/{token}/lines/", {"sku": "BW-FAN-01-S", "quantity": 2})
    assert money(cart["totals"]["subtotal"]) == 2 * price

    methods = storefront.get(f"{API}/carts/{token}/shipping-methods/")
    standard = next(m for m in methods if m["code"] == "standard")
    cart = storefront.patch(
        f"{API}/carts/{token}/checkout/",
        {
            "email": email,
            "shipping_address": demo.ADDRESS,
            "shipping_method": "standard",
            "voucher_code": "WELCOME10",
        },
    )
    totals = cart["totals"]
    assert cart["voucher_code"] == "WELCOME10"
    assert money(totals["discount"]) == (2 * price * Decimal("0.10")).quantize(Decimal("0.01"))
    assert money(totals["shipping"]) == money(standard["price"])
    assert money(totals["total"]) == (
        money(totals["subtotal"]) + money(totals["shipping"]) - money(totals["discount"])
    )
    return token, totals


def _order_placed_once(storefront: ShopApi, token: str, totals: dict) -> dict:
    """4. the order, and the same key again: the same order; on another cart: refused."""
    key = idempotency_key()
    order = storefront.post(f"{API}/carts/{token}/order/", headers={"Idempotency-Key": key})
    assert order["status"] == "pending_payment"
    assert (order["total"], order["discount"]) == (totals["total"], totals["discount"])
    again = storefront.post(
        f"{API}/carts/{token}/order/", headers={"Idempotency-Key": key}, expect=200
    )
    assert again["number"] == order["number"]
    other_cart = storefront.post(f"{API}/carts/")["token"]
    storefront.refused(
        "POST",
        f"{API}/carts/{other_cart}/order/",
        409,
        "idempotency_key_reused",
        headers={"Idempotency-Key": key},
    )
    return order


def _followed_as_guest(stack: Stack, number: str, email: str, total: str) -> None:
    """6. follow it as a guest: paid, and a parcel the tracking shows."""
    guest = ShopApi(stack.base_url)
    looked_up = guest.post(f"{API}/orders/lookup/", {"number": number, "email": email}, expect=200)
    assert looked_up["status"] in PAID_STATUSES
    assert looked_up["amount_paid"] == total
    assert "payment_succeeded" in [event["type"] for event in looked_up["events"]]
    # The worker (in-process tasks on the embedded default) books the parcel with the
    # carrier; the carrier's first news comes with the next poll of its tracking.
    tracking = wait_for(
        lambda: guest.get(f"{API}/orders/{number}/tracking/", params={"email": email}),
        lambda answer: bool(answer["parcels"] and answer["parcels"][0]["events"]),
        seconds=60,
        what="booked with the carrier",
    )
    assert tracking["order"] == number
    parcel = tracking["parcels"][0]
    assert parcel["waybill_number"] != ""
    assert parcel["items"] == [{"sku": "BW-FAN-01-S", "quantity": 2}]
    assert parcel["events"][0]["code"] == "booked"


def test_a_storefront_buys_now_in_one_request_with_its_channel_key(stack: Stack):
    app = ShopApi(stack.base_url, channel_key=stack.channel_keys[demo.MEDIA_APP])
    email = unique_email("app-reader")
    body = {
        "lines": [{"sku": "BW-FAN-01-L", "quantity": 1}],
        "email": email,
        "shipping_address": demo.ADDRESS,
        "shipping_method": "standard",
        "payment_provider": "fake",
    }
    keyless = ShopApi(stack.base_url, channel=demo.MEDIA_APP)
    keyless.refused(
        "POST",
        f"{API}/orders/",
        401,
        "channel_key_required",
        json=body,
        headers={"Idempotency-Key": idempotency_key()},
    )

    order = app.post(f"{API}/orders/", body, headers={"Idempotency-Key": idempotency_key()})

    assert (order["status"], order["channel"]) == ("pending_payment", demo.MEDIA_APP)
    assert order["payment"]["status"] == "pending"
    assert order["payment"]["amount"] == order["total"]
    pay_with_fake(app, order["payment"]["id"], email)
    looked_up = ShopApi(stack.base_url).post(
        f"{API}/orders/lookup/", {"number": order["number"], "email": email}, expect=200
    )
    assert looked_up["status"] in PAID_STATUSES
    assert looked_up["amount_paid"] == order["total"]


def test_a_signed_in_shopper_buys_and_finds_the_order_in_their_orders(stack: Stack):
    shopper = signed_in(stack.base_url, *demo.SHOPPER)
    shopper.channel = demo.MUSEUM_WEB
    me = shopper.get(f"{API}/me/")
    assert me["email"] == demo.SHOPPER[0]
    before = [o["number"] for o in shopper.get(f"{API}/orders/")["results"]]

    token = shopper.post(f"{API}/carts/")["token"]
    shopper.post(f"{API}/carts/{token}/lines/", {"sku": "EC-MUG-01-350", "quantity": 1})
    shopper.patch(
        f"{API}/carts/{token}/checkout/",
        {"shipping_address": demo.ADDRESS, "shipping_method": "standard"},
    )
    order = shopper.post(
        f"{API}/carts/{token}/order/",
        {"payment_provider": "fake"},
        headers={"Idempotency-Key": idempotency_key()},
    )
    pay_with_fake(shopper, order["payment"]["id"], demo.SHOPPER[0])

    mine = shopper.get(f"{API}/orders/")
    assert [o["number"] for o in mine["results"]] == [order["number"], *before]
    assert mine["results"][0]["status"] in PAID_STATUSES
    assert mine["results"][0]["email"] == demo.SHOPPER[0]
    assert shopper.get(f"{API}/orders/{order['number']}/")["number"] == order["number"]
    ShopApi(stack.base_url).refused(
        "GET", f"{API}/orders/{order['number']}/", 404, "order_not_found"
    )

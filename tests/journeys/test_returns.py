"""A new shopper buys, the parcel arrives, one item goes back: the shopper asks, the
staff of the warehouse that shipped it approve, receive and refund it."""

from __future__ import annotations

import pytest

from tests.journeys import demo
from tests.journeys.shop_api import API, ShopApi, idempotency_key, signed_in, unique_email, wait_for
from tests.journeys.stacks import Stack

pytestmark = pytest.mark.journey

SKU = "FG-SCF-01-BLU"


def test_a_delivered_item_goes_back_and_is_refunded(stack: Stack):
    shopper, number, line, tracking = _delivered_order(stack)
    asked = shopper.post(
        f"{API}/orders/{number}/returns/",
        {"lines": [{"line_id": line["id"], "quantity": 1}], "reason": "Bought two by mistake."},
    )
    assert (asked["status"], asked["lines"][0]["quantity"]) == ("requested", 1)

    staff, other = _staff_of_the_return(stack, number)
    returns = f"{API}/staff/fulfillment/returns/{asked['id']}"
    other.refused("POST", f"{returns}/approve/", 404, "return_not_found", json={})

    assert staff.post(f"{returns}/approve/", {"note": "Fine."}, expect=200)["status"] == "approved"
    parcel = staff.get(f"{API}/staff/fulfillment/shipments/{tracking['parcels'][0]['id']}/")
    stock = staff.get(f"{API}/staff/stock/", params={"sku": SKU, "warehouse": parcel["warehouse"]})[
        "results"
    ][0]
    received = staff.post(
        f"{returns}/receive/",
        {"lines": [{"line_id": line["id"], "condition": "resellable"}]},
        expect=200,
    )
    assert received["status"] == "received"
    back = staff.get(f"{API}/staff/stock/{stock['id']}/movements/")["results"][0]
    assert (back["reason"], back["quantity_delta"]) == ("return", 1)
    refunded = staff.post(f"{returns}/refund/", expect=200)
    assert refunded["status"] == "refunded"
    assert refunded["refund_id"] is not None

    seen = shopper.get(f"{API}/orders/{number}/")
    assert seen["status"] == "partially_refunded"
    assert seen["amount_refunded"] == line["unit_price"]
    assert [(x["quantity"], x["quantity_refunded"]) for x in seen["lines"]] == [(2, 1)]
    assert "refunded" in [event["type"] for event in seen["events"]]
    assert [r["status"] for r in shopper.get(f"{API}/orders/{number}/returns/")] == ["refunded"]


def _delivered_order(stack: Stack) -> tuple[ShopApi, str, dict, dict]:
    """A new shopper buys two scarves in one request, pays, and waits for the parcel."""
    email = unique_email("returner")
    registered = ShopApi(stack.base_url).post(
        f"{API}/auth/register/", {"email": email, "password": "a-long-pass-phrase-9"}
    )
    shopper = ShopApi(stack.base_url, token=registered["token"], channel=demo.MUSEUM_WEB)
    order = shopper.post(
        f"{API}/orders/",
        {
            "lines": [{"sku": SKU, "quantity": 2}],
            "shipping_address": demo.ADDRESS,
            "shipping_method": "standard",
            "payment_provider": "fake",
        },
        headers={"Idempotency-Key": idempotency_key()},
    )
    number, line = order["number"], order["lines"][0]
    shopper.post(
        f"{API}/payments/{order['payment']['id']}/fake/confirm/", {"outcome": "succeed"}, expect=200
    )
    tracking = wait_for(
        lambda: shopper.get(f"{API}/orders/{number}/tracking/"),
        lambda answer: answer["status"] == "delivered",
        seconds=90,
        what="delivered",
    )
    assert [parcel["status"] for parcel in tracking["parcels"]] == ["delivered"]
    return shopper, number, line, tracking


def _staff_of_the_return(stack: Stack, number: str) -> tuple[ShopApi, ShopApi]:
    """Each partner's staff look at their queue: the return is with those who shipped it.
    The staff who have it, then the others."""
    museum, media = (
        signed_in(stack.base_url, *demo.MUSEUM_STAFF),
        signed_in(stack.base_url, *demo.MEDIA_STAFF),
    )
    queues = {
        name: [
            r["id"]
            for r in staff.get(f"{API}/staff/fulfillment/returns/", params={"status": "requested"})[
                "results"
            ]
            if r["order"] == number
        ]
        for name, staff in (("museum", museum), ("media", media))
    }
    assert sorted(len(ids) for ids in queues.values()) == [0, 1], queues
    return (museum, media) if queues["museum"] else (media, museum)

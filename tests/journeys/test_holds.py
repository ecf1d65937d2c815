"""An order nobody pays lets go of its units on its own: the shop's own clock (the beat
inside the embedded server, Celery beat in production) expires it, and the units are
on sale again."""

from __future__ import annotations

import pytest

from tests.journeys import demo
from tests.journeys.shop_api import API, ShopApi, idempotency_key, signed_in, wait_for
from tests.journeys.stacks import UNPAID_ORDER_SECONDS, Stack

pytestmark = pytest.mark.journey

SKU, SLUG = "BW-SCR-01-L", "fu-stele-rubbing-scroll"


def units_free(stack: Stack) -> int:
    """The SKU's free units in every warehouse, as the two partners' staff see them."""
    return sum(
        stock["quantity_available"]
        for staff in (demo.MUSEUM_STAFF, demo.MEDIA_STAFF)
        for stock in signed_in(stack.base_url, *staff).get(
            f"{API}/staff/stock/", params={"sku": SKU}
        )["results"]
    )


def test_an_unpaid_order_expires_on_its_own_and_its_units_are_on_sale_again(stack: Stack):
    storefront = ShopApi(stack.base_url, channel=demo.MUSEUM_WEB)

    def availability() -> str:
        product = storefront.get(f"{API}/products/{SLUG}/")
        return next(v["availability"] for v in product["variants"] if v["sku"] == SKU)

    shown_before, free = availability(), units_free(stack)
    assert free > 0
    order = storefront.post(
        f"{API}/orders/",
        {
            "lines": [{"sku": SKU, "quantity": free}],
            "email": "no-payer@example.com",
            "shipping_address": demo.ADDRESS,
            "shipping_method": "standard",
        },
        headers={"Idempotency-Key": idempotency_key()},
    )
    assert (order["status"], order["payment"]) == ("pending_payment", None)
    assert units_free(stack) == 0
    wait_for(availability, lambda shown: shown == "sold_out", seconds=15, what="sold out")

    guest = ShopApi(stack.base_url)
    lookup = {"number": order["number"], "email": "no-payer@example.com"}
    expired = wait_for(
        lambda: guest.post(f"{API}/orders/lookup/", lookup, expect=200),
        lambda answer: answer["status"] == "expired",
        seconds=UNPAID_ORDER_SECONDS + 30,
        what="expired",
    )
    assert [e["type"] for e in expired["events"]][-1] == "expired"
    assert units_free(stack) == free
    wait_for(availability, lambda shown: shown == shown_before, seconds=15, what="on sale again")

    guest.refused(
        "POST",
        f"{API}/orders/{order['number']}/payments/",
        409,
        "order_expired",
        json={"provider": "fake", "email": "no-payer@example.com"},
    )

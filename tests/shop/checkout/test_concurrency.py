"""Many buyers, a handful of units, real PostgreSQL connections: nothing is ever sold twice."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Stock
from shop.channels.models import ChannelKind, LivestreamDrop
from shop.orders.holds import Reservation
from shop.orders.models import Order
from tests import factories
from tests.factories import ShippingMethodFactory, stock_with_units
from tests.shop.conftest import ADDRESS_CN

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

BUYERS = 60
UNITS = 10


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run


@pytest.fixture
def livestream_drop():
    media = factories.PartnerFactory(code="media")
    channel = factories.SalesChannelFactory(
        code="media-live", owner=media, kind=ChannelKind.LIVESTREAM, is_public=True
    )
    product = factories.ProductFactory(edition_size=UNITS, purchase_limit=1)
    variant = factories.ProductVariantFactory(product=product)
    factories.ProductChannelListingFactory(product=product, channel=channel)
    stock = stock_with_units(
        variant=variant, warehouse=factories.WarehouseFactory(partner=media), quantity=UNITS
    )
    drop = LivestreamDrop.objects.create(
        channel=channel,
        code="drop-1",
        name_zh="直播",
        name_en="Live",
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    drop.variants.add(variant)
    ShippingMethodFactory(code="standard")
    return channel, stock


def _prepared_cart(client: APIClient, channel_code: str, sku: str, email: str) -> str:
    query = f"?channel={channel_code}"
    token = client.post(f"/api/v1/carts/{query}").json()["token"]
    assert (
        client.post(f"/api/v1/carts/{token}/lines/{query}", {"sku": sku, "quantity": 1}).status_code
        == 201
    )
    assert (
        client.patch(
            f"/api/v1/carts/{token}/checkout/{query}",
            {"email": email, "shipping_address": ADDRESS_CN, "shipping_method": "standard"},
        ).status_code
        == 200
    )
    return token


def test_drop_sells_exactly_the_units_there_are(livestream_drop):
    channel, stock = livestream_drop
    client = APIClient()
    tokens = [
        _prepared_cart(client, channel.code, stock.variant.sku, f"fan{i}@example.com")
        for i in range(BUYERS)
    ]
    start = threading.Barrier(BUYERS)

    @_in_thread
    def buy(token: str) -> tuple[int, str]:
        buyer = APIClient()
        start.wait(timeout=30)
        response = buyer.post(
            f"/api/v1/carts/{token}/order/?channel={channel.code}",
            HTTP_IDEMPOTENCY_KEY=f"buy-{token}",
        )
        return response.status_code, response.json().get("code", "ok")

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        results = list(pool.map(buy, tokens))

    outcomes = Counter(results)
    assert outcomes[(201, "ok")] == UNITS, outcomes
    assert outcomes[(409, "sold_out")] == BUYERS - UNITS, outcomes
    assert all(status < 500 for status, _ in results)
    stock.refresh_from_db()
    assert (stock.quantity, stock.quantity_reserved) == (UNITS, UNITS)
    assert Order.objects.count() == UNITS
    assert sum(Reservation.objects.values_list("quantity", flat=True)) == UNITS


def test_one_idempotency_key_makes_one_order_under_a_burst(livestream_drop):
    channel, stock = livestream_drop
    token = _prepared_cart(APIClient(), channel.code, stock.variant.sku, "fan@example.com")
    threads = 12
    start = threading.Barrier(threads)

    @_in_thread
    def place(_: int) -> tuple[int, str]:
        start.wait(timeout=30)
        response = APIClient().post(
            f"/api/v1/carts/{token}/order/?channel={channel.code}", HTTP_IDEMPOTENCY_KEY="one"
        )
        return response.status_code, response.json().get("number", response.json().get("code"))

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(place, range(threads)))

    numbers = {number for _, number in results}
    assert Order.objects.count() == 1
    assert numbers == {Order.objects.get().number}
    assert sorted(status for status, _ in results) == [200] * (threads - 1) + [201]
    assert Stock.objects.get(pk=stock.pk).quantity_reserved == 1

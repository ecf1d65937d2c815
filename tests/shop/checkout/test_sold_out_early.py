"""A shopper too late for the last units is refused before anything is written."""

from __future__ import annotations

import pytest

from catalog.models import Stock
from shop.carts.models import Cart, CartStatus
from shop.orders.holds import Reservation
from shop.orders.models import Order, OrderEvent, OrderLine
from tests import factories
from tests.factories import stock_with_units
from tests.shop.conftest import cart_ready, cart_url

pytestmark = pytest.mark.django_db


def _place(client, shop, token: str):
    return client.post(cart_url(shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="late")


def _nothing_written(token: str, reserved: int, stock_id: int) -> None:
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert OrderEvent.objects.count() == 0
    assert Reservation.objects.count() == 0
    assert Cart.objects.get(token=token).status == CartStatus.OPEN
    assert Stock.objects.get(pk=stock_id).quantity_reserved == reserved


def test_sold_out_answers_with_few_queries_and_writes_nothing(
    api_client, small_shop, django_assert_max_num_queries
):
    token = cart_ready(api_client, small_shop, quantity=1)
    Stock.objects.filter(pk=small_shop.stock.pk).update(quantity_reserved=10)

    with django_assert_max_num_queries(12):
        response = _place(api_client, small_shop, token)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "sold_out"
    assert body["fields"] == {"lines": [small_shop.variant.sku]}
    _nothing_written(token, 10, small_shop.stock.pk)


def test_too_few_left_is_insufficient_stock_with_the_short_line(api_client, small_shop):
    token = cart_ready(api_client, small_shop, quantity=3)
    Stock.objects.filter(pk=small_shop.stock.pk).update(quantity_reserved=8)

    response = _place(api_client, small_shop, token)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert body["fields"] == {"lines": [small_shop.variant.sku]}
    _nothing_written(token, 8, small_shop.stock.pk)


def test_free_units_are_counted_over_every_active_warehouse(api_client, small_shop):
    token = cart_ready(api_client, small_shop, quantity=3)
    Stock.objects.filter(pk=small_shop.stock.pk).update(quantity_reserved=9)
    other = factories.WarehouseFactory(partner=small_shop.channel.owner)
    stock_with_units(variant=small_shop.variant, warehouse=other, quantity=2)
    closed = factories.WarehouseFactory(partner=small_shop.channel.owner, is_active=False)
    stock_with_units(variant=small_shop.variant, warehouse=closed, quantity=50)

    response = _place(api_client, small_shop, token)

    assert response.status_code == 201, response.json()
    assert Stock.objects.get(pk=small_shop.stock.pk).quantity_reserved == 10
    assert Stock.objects.get(warehouse=other).quantity_reserved == 2
    assert Stock.objects.get(warehouse=closed).quantity_reserved == 0

"""Buying now a variant the database found sold out a moment ago: refused at once by its
mark in Redis, with the same answer, and sold again as soon as units come back
(catalog/stock/sold_out.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import MovementReason, Stock
from catalog.stock.movements import stock_change
from shop.carts.models import Cart
from shop.orders.models import Order
from shop.orders.reservations import reservations_release_expired
from tests.shop.conftest import ADDRESS_CN

pytestmark = pytest.mark.django_db

DETAILS = {"shipping_address": ADDRESS_CN, "shipping_method": "standard"}


@pytest.fixture(autouse=True)
def _marks_on(settings):
    settings.SHOP_SOLD_OUT_MARK_SECONDS = 2


@pytest.fixture
def last_unit(small_shop):
    """The small shop with one unit left of its variant."""
    Stock.objects.filter(pk=small_shop.stock.pk).update(quantity_reserved=9)
    return small_shop


def _buy(client, shop, shopper: str, channel: str | None = None):
    return client.post(
        f"/api/v1/orders/?channel={channel or shop.channel.code}",
        {
            "lines": [{"sku": shop.variant.sku, "quantity": 1}],
            "email": f"{shopper}@example.com",
            **DETAILS,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"key-{shopper}",
    )


def test_after_the_last_unit_the_next_shoppers_are_refused_by_the_mark_alike(
    api_client, last_unit, django_assert_num_queries
):
    assert _buy(api_client, last_unit, "first").status_code == 201
    refused_by_the_database = _buy(api_client, last_unit, "second")

    # the channel, the key's earlier order (none); then the mark, in Redis: nothing else
    with django_assert_num_queries(2):
        refused_by_the_mark = _buy(api_client, last_unit, "third")

    assert refused_by_the_database.status_code == refused_by_the_mark.status_code == 409
    assert refused_by_the_mark.json() == refused_by_the_database.json()
    assert refused_by_the_mark.json()["code"] == "sold_out"
    assert refused_by_the_mark.json()["fields"] == {"lines": [last_unit.variant.sku]}
    assert Order.objects.count() == 1
    assert Cart.objects.count() == 1
    assert Stock.objects.get(pk=last_unit.stock.pk).quantity_reserved == 10


def test_a_retry_of_the_order_placed_answers_with_it_despite_the_mark(api_client, last_unit):
    placed = _buy(api_client, last_unit, "first")
    assert _buy(api_client, last_unit, "second").status_code == 409

    again = _buy(api_client, last_unit, "first")

    assert again.status_code == 200
    assert again.json()["number"] == placed.json()["number"]


def test_a_hold_that_expires_clears_the_mark_and_the_unit_sells_again(
    api_client, last_unit, django_capture_on_commit_callbacks
):
    assert _buy(api_client, last_unit, "first").status_code == 201
    assert _buy(api_client, last_unit, "second").status_code == 409

    with django_capture_on_commit_callbacks(execute=True):
        released = reservations_release_expired(now=timezone.now() + timedelta(days=1))

    assert released == 1
    third = _buy(api_client, last_unit, "third")
    assert third.status_code == 201, third.json()
    assert Stock.objects.get(pk=last_unit.stock.pk).quantity_reserved == 10


def test_units_received_clear_the_mark(api_client, last_unit, django_capture_on_commit_callbacks):
    assert _buy(api_client, last_unit, "first").status_code == 201
    assert _buy(api_client, last_unit, "second").status_code == 409

    with django_capture_on_commit_callbacks(execute=True):
        stock_change(stock_id=last_unit.stock.pk, delta=3, reason=MovementReason.RECEIPT)

    assert _buy(api_client, last_unit, "third").status_code == 201


def test_the_mark_is_the_channels_own(api_client, last_unit):
    from tests import factories

    other = factories.SalesChannelFactory(code="media-web", is_public=True)
    assert _buy(api_client, last_unit, "first").status_code == 201
    assert _buy(api_client, last_unit, "second").status_code == 409

    # Not listed in the other channel: said so, as without a mark.
    elsewhere = _buy(api_client, last_unit, "third", channel=other.code)

    assert elsewhere.status_code == 409 or elsewhere.status_code == 404
    assert elsewhere.json()["code"] != "sold_out"


def test_without_marks_the_database_still_refuses(api_client, last_unit, settings):
    settings.SHOP_SOLD_OUT_MARK_SECONDS = 0
    assert _buy(api_client, last_unit, "first").status_code == 201

    refused = _buy(api_client, last_unit, "second")

    assert refused.status_code == 409
    assert refused.json()["code"] == "sold_out"

"""Sold-out marks in Redis (catalog/stock/sold_out.py): set by a refusal the database
made, found in one round trip, cleared when units come back, forgotten when staff change
the catalog, and never kept longer than their short life."""

from __future__ import annotations

import pytest

from catalog.errors import SoldOut
from catalog.models import MovementReason
from catalog.stock.holds import stock_reserve, stock_unreserve
from catalog.stock.movements import stock_change
from catalog.stock.sold_out import sold_out_mark, sold_out_marked_raise
from tests.factories import stock_with_units
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db

CHANNEL = 7


@pytest.fixture(autouse=True)
def _marks_on(settings):
    settings.SHOP_SOLD_OUT_MARK_SECONDS = 2


def _marked(sku: str, channel: int = CHANNEL) -> bool:
    try:
        sold_out_marked_raise(channel, ["OTHER-SKU", sku])
    except SoldOut as exc:
        assert exc.fields == {"lines": [sku]}
        return True
    return False


def test_a_mark_is_found_for_its_sku_and_channel_only():
    sold_out_mark(CHANNEL, ["VASE-1"])

    assert _marked("VASE-1")
    assert not _marked("VASE-1", channel=CHANNEL + 1)
    assert not _marked("VASE-2")


def test_units_coming_back_clear_the_mark_when_they_commit(django_capture_on_commit_callbacks):
    stock = stock_with_units(quantity=1)
    assert stock_reserve(stock_id=stock.pk, quantity=1)
    sold_out_mark(CHANNEL, [stock.variant.sku])

    with django_capture_on_commit_callbacks() as callbacks:
        stock_unreserve(stock_id=stock.pk, quantity=1)
    assert _marked(stock.variant.sku)  # not before the commit
    for callback in callbacks:
        callback()

    assert not _marked(stock.variant.sku)


def test_a_refusal_read_before_units_came_back_does_not_mark_again(
    django_capture_on_commit_callbacks,
):
    stock = stock_with_units(quantity=1)
    assert stock_reserve(stock_id=stock.pk, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        stock_unreserve(stock_id=stock.pk, quantity=1)

    sold_out_mark(CHANNEL, [stock.variant.sku])

    assert not _marked(stock.variant.sku)


def test_releasing_units_of_a_row_that_had_free_ones_clears_nothing(
    django_capture_on_commit_callbacks,
):
    stock = stock_with_units(quantity=3)
    assert stock_reserve(stock_id=stock.pk, quantity=1)
    sold_out_mark(CHANNEL, [stock.variant.sku])  # (a mark can only be stale here)

    with django_capture_on_commit_callbacks(execute=True):
        stock_unreserve(stock_id=stock.pk, quantity=1)

    assert _marked(stock.variant.sku)


def test_staff_changing_stock_forget_every_mark(django_capture_on_commit_callbacks):
    stock = stock_with_units(quantity=0)
    sold_out_mark(CHANNEL, [stock.variant.sku, "OTHER-SKU"])

    with django_capture_on_commit_callbacks(execute=True):
        stock_change(stock_id=stock.pk, delta=5, reason=MovementReason.RECEIPT)

    assert not _marked(stock.variant.sku)
    assert not _marked("OTHER-SKU")


def test_a_mark_lives_only_its_short_life(settings):
    settings.SHOP_SOLD_OUT_MARK_SECONDS = 0.2
    sold_out_mark(CHANNEL, ["VASE-1"])
    assert _marked("VASE-1")

    assert wait_until(lambda: not _marked("VASE-1"), seconds=5)


def test_marks_off_mark_nothing(settings):
    settings.SHOP_SOLD_OUT_MARK_SECONDS = 0
    sold_out_mark(CHANNEL, ["VASE-1"])
    settings.SHOP_SOLD_OUT_MARK_SECONDS = 2

    assert not _marked("VASE-1")


def test_redis_away_marks_nothing_and_refuses_nothing(settings):
    sold_out_mark(CHANNEL, ["VASE-1"])
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }

    sold_out_mark(CHANNEL, ["VASE-2"])

    assert not _marked("VASE-1")

"""The stock rows' own statements, on whichever engine the suite runs (PostgreSQL, SQLite)."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import Stock
from catalog.stock.queries import stock_hold_units, stock_release_units
from tests import factories

pytestmark = pytest.mark.django_db


def _stock(quantity: int, reserved: int) -> Stock:
    return factories.StockFactory(quantity=quantity, quantity_reserved=reserved)


def _units(stock: Stock) -> tuple[int, int]:
    stock.refresh_from_db()
    return stock.quantity, stock.quantity_reserved


def test_the_statements_name_the_stock_rows_table():
    assert Stock._meta.db_table == "catalog_stock"


def test_a_hold_takes_free_units_and_answers_those_left():
    stock = _stock(quantity=5, reserved=1)
    assert stock_hold_units(stock_id=stock.pk, quantity=3) == 1
    assert _units(stock) == (5, 4)
    assert stock_hold_units(stock_id=stock.pk, quantity=1) == 0
    assert _units(stock) == (5, 5)


def test_a_hold_of_more_than_is_free_changes_nothing():
    stock = _stock(quantity=5, reserved=3)
    assert stock_hold_units(stock_id=stock.pk, quantity=3) is None
    assert _units(stock) == (5, 3)


def test_a_hold_of_an_unknown_row_answers_none():
    assert stock_hold_units(stock_id=0, quantity=1) is None


def test_a_release_gives_back_units_and_answers_those_free():
    stock = _stock(quantity=5, reserved=4)
    assert stock_release_units(stock_id=stock.pk, quantity=3) == 4
    assert _units(stock) == (5, 1)


def test_a_release_of_more_than_is_reserved_changes_nothing():
    stock = _stock(quantity=5, reserved=2)
    assert stock_release_units(stock_id=stock.pk, quantity=3) is None
    assert _units(stock) == (5, 2)


def test_holds_and_releases_stamp_the_row_as_changed():
    stock = _stock(quantity=5, reserved=0)
    long_ago = timezone.now() - dt.timedelta(days=30)
    Stock.objects.filter(pk=stock.pk).update(updated_at=long_ago)

    stock_hold_units(stock_id=stock.pk, quantity=2)
    stock.refresh_from_db()
    held_at = stock.updated_at
    stock_release_units(stock_id=stock.pk, quantity=1)
    stock.refresh_from_db()

    assert long_ago < held_at <= stock.updated_at <= timezone.now()

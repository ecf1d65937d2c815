"""The staff's stock reads."""

import pytest

from catalog.stock.selectors import stock_low_list
from tests import factories
from tests.factories.catalog_scenes import stock_row as _stock

pytestmark = pytest.mark.django_db


def test_low_list_compares_free_units_with_the_threshold(museum, media):
    museum_store = factories.WarehouseFactory(partner=museum)
    media_store = factories.WarehouseFactory(partner=media)
    closed = factories.WarehouseFactory(partner=museum, is_active=False)
    at = _stock(quantity=10, reserved=5, low_stock_threshold=5, warehouse=museum_store)
    below = _stock(quantity=3, reserved=3, low_stock_threshold=1, warehouse=media_store)
    _stock(quantity=10, reserved=4, low_stock_threshold=5, warehouse=museum_store)
    _stock(quantity=0, low_stock_threshold=5, warehouse=closed)

    assert [s.pk for s in stock_low_list()] == [below.pk, at.pk]
    assert [(s.pk, s.available) for s in stock_low_list(partner_id=museum.pk)] == [(at.pk, 5)]
    assert [s.pk for s in stock_low_list(partner_id=media.pk)] == [below.pk]

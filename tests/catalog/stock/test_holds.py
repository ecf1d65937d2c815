"""Units held for orders, next to the staff's operations."""

import pytest

from catalog.errors import (
    InsufficientStock,
)
from catalog.stock.holds import stock_reserve
from catalog.stock.services import (
    stock_adjust,
)
from tests.factories.catalog_scenes import stock_row as _stock

pytestmark = pytest.mark.django_db


def test_primitives_still_work_with_new_services(staff_user):
    stock = _stock(quantity=2)
    assert stock_reserve(stock_id=stock.pk, quantity=2) is True
    with pytest.raises(InsufficientStock):
        stock_adjust(stock=stock, delta=-1, note="Lost", user=staff_user)

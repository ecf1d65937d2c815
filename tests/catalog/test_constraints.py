"""The database itself refuses stock rows and movements that break the stock rules."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from catalog.models import MovementReason, Stock, StockMovement
from tests import factories

pytestmark = pytest.mark.django_db


def _stock(quantity=5, reserved=2) -> Stock:
    return factories.StockFactory(quantity=quantity, quantity_reserved=reserved)


@pytest.mark.parametrize(
    "changes",
    [
        {"quantity": -1, "quantity_reserved": 0},
        {"quantity_reserved": -1},
        {"quantity_reserved": 6},
        {"quantity": 1},
    ],
    ids=["negative-on-hand", "negative-reserved", "reserved-above-on-hand", "on-hand-below"],
)
def test_stock_check_constraints(changes):
    stock = _stock()

    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock.pk).update(**changes)

    stock.refresh_from_db()
    assert (stock.quantity, stock.quantity_reserved) == (5, 2)


def test_stock_arithmetic_below_zero_is_refused_by_the_database():
    stock = _stock()

    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock.pk).update(quantity=F("quantity") - 6)

    assert Stock.objects.get().quantity == 5


def test_one_stock_row_per_variant_and_warehouse():
    stock = _stock()

    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.create(variant=stock.variant, warehouse=stock.warehouse)

    assert Stock.objects.count() == 1


@pytest.mark.parametrize(
    "values",
    [
        {"quantity_delta": 0, "quantity_after": 1, "reason": MovementReason.ADJUSTMENT},
        {"quantity_delta": -1, "quantity_after": -1, "reason": MovementReason.ADJUSTMENT},
        {"quantity_delta": 1, "quantity_after": 1, "reason": "gift"},
    ],
    ids=["zero-delta", "negative-after", "unknown-reason"],
)
def test_movement_check_constraints(values):
    stock = _stock()

    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.create(stock=stock, **values)

    assert StockMovement.objects.count() == 0

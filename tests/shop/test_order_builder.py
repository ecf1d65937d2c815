import pytest

from catalog.models import Stock
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import OrderStatus
from tests.factories import order_with_stock, stock_with_units


@pytest.mark.django_db
def test_order_with_stock_holds_units_and_paid_confirms_them():
    stock = stock_with_units(quantity=5)
    order = order_with_stock(lines=[(stock.variant, 2)], status=OrderStatus.PAID)
    stock = Stock.objects.get(pk=stock.pk)
    assert (stock.quantity, stock.quantity_reserved) == (5, 2)
    assert order.status == OrderStatus.PAID
    reservation = Reservation.objects.get(order_line__order=order)
    assert reservation.status == ReservationStatus.CONFIRMED
    assert reservation.expires_at is None

"""The orders' hand-written statement (shop/orders/queries.py), on every engine."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import OrderLine
from shop.orders.queries import TABLES, LineHeld, order_holds_confirm
from tests.factories import order_with_stock, stock_with_units

pytestmark = pytest.mark.django_db


def test_the_statement_names_the_models_tables():
    assert {
        "reservation": Reservation._meta.db_table,
        "order_line": OrderLine._meta.db_table,
    } == TABLES


def test_holds_of_an_order_fully_held_are_confirmed():
    first, second = stock_with_units(quantity=5), stock_with_units(quantity=5)
    order = order_with_stock(lines=[(first.variant, 2), (second.variant, 3)])
    lines = list(order.lines.order_by("id"))
    now = timezone.now()

    found = order_holds_confirm(order.pk, now)

    assert found == [LineHeld(lines[0].pk, 2, 2, 0, 2), LineHeld(lines[1].pk, 3, 3, 0, 3)]
    holds = Reservation.objects.filter(order_line__order=order)
    assert {(h.status, h.expires_at, h.updated_at) for h in holds} == {
        (ReservationStatus.CONFIRMED, None, now)
    }


def test_nothing_is_confirmed_while_a_line_is_short():
    first, second = stock_with_units(quantity=5), stock_with_units(quantity=5)
    order = order_with_stock(lines=[(first.variant, 2), (second.variant, 3)])
    lapsed = Reservation.objects.get(order_line__variant=second.variant)
    Reservation.objects.filter(pk=lapsed.pk).update(status=ReservationStatus.RELEASED)
    lines = list(order.lines.order_by("id"))

    found = order_holds_confirm(order.pk, timezone.now())

    assert found == [LineHeld(lines[0].pk, 2, 2, 0, 0), LineHeld(lines[1].pk, 3, 0, 0, 0)]
    assert [line.short for line in found] == [0, 3]
    statuses = Reservation.objects.filter(order_line__order=order).values_list("status", flat=True)
    assert sorted(statuses) == [ReservationStatus.ACTIVE, ReservationStatus.RELEASED]


def test_confirmed_holds_count_and_are_left_as_they_are():
    stock = stock_with_units(quantity=5)
    order = order_with_stock(lines=[(stock.variant, 2)])
    order_holds_confirm(order.pk, timezone.now())
    line = order.lines.get()

    assert order_holds_confirm(order.pk, timezone.now()) == [LineHeld(line.pk, 2, 0, 2, 0)]

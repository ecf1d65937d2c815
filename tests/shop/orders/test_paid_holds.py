"""Paying confirms an order's held units (shop/orders/paid.py `order_mark_paid`), also
when the expiry sweep releases one of them at the same moment: the sweep does not take
the order's lock, so a hold counted as active can be released before the update
reaches it. The units are then held again and confirmed, never left unheld under a
paid order."""

from __future__ import annotations

import threading
from decimal import Decimal

import psycopg
import pytest
from django.db import connection, transaction

from catalog.models import Stock
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.paid import order_mark_paid
from tests.connections import separate_connection
from tests.factories import order_with_stock, stock_with_units
from tests.waiting import wait_until


def _waiting_on_a_lock(other: psycopg.Connection, backend_pid: int) -> bool:
    found = other.execute(
        "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [backend_pid]
    ).fetchone()
    return found is not None and found[0] == "Lock"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_hold_released_while_the_payment_confirms_is_held_again():
    stock = stock_with_units(quantity=10)
    order = order_with_stock(lines=[(stock.variant, 2)])
    hold = Reservation.objects.get(order_line__order=order)
    assert (hold.status, hold.quantity) == (ReservationStatus.ACTIVE, 2)
    connection.ensure_connection()
    paying_pid = connection.connection.info.backend_pid

    sweep = separate_connection()
    # The sweep has released the hold but not committed yet: the payment counts it as
    # active, then its update waits for the row.
    sweep.execute(
        "UPDATE checkout_reservation SET status = %s WHERE id = %s",
        [ReservationStatus.RELEASED, hold.pk],
    )
    sweep.execute(
        "UPDATE catalog_stock SET quantity_reserved = quantity_reserved - 2 WHERE id = %s",
        [stock.pk],
    )

    def commit_once_the_payment_waits():
        watcher = separate_connection(autocommit=True)
        try:
            wait_until(lambda: _waiting_on_a_lock(watcher, paying_pid), seconds=10)
        finally:
            watcher.close()
            sweep.commit()
            sweep.close()

    thread = threading.Thread(target=commit_once_the_payment_waits)
    thread.start()
    with transaction.atomic():
        outcome = order_mark_paid(order_id=order.pk, amount=Decimal("2.00"))
    thread.join()

    assert outcome.newly_paid
    holds = Reservation.objects.filter(order_line__order=order)
    assert sorted(holds.values_list("status", "quantity")) == [
        (ReservationStatus.CONFIRMED, 2),
        (ReservationStatus.RELEASED, 2),
    ]
    stock = Stock.objects.get(pk=stock.pk)
    assert (stock.quantity, stock.quantity_reserved) == (10, 2)

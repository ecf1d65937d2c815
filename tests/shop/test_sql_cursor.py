"""The cursor hand-written SQL runs on (shop/core/sql.py): on PostgreSQL, while nobody
records statements, the driver's cursor kept with the connection, reused statement
after statement, with the driver's errors turned into Django's; Django's own cursor
while statements are recorded, so the query-count tests count them."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext

from shop.core import sql
from shop.orders.models import Order

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


def _kept():
    return connection._shop_kept_cursor[2]


def test_statements_reuse_one_driver_cursor():
    assert sql.row("SELECT %s::int", [1]) == (1,)
    first = _kept()

    assert sql.rows("SELECT generate_series(1, %s)", [3]) == [(1,), (2,), (3,)]
    assert sql.execute("SELECT 1 WHERE %s", [False]) == 0

    assert _kept() is first
    assert not isinstance(first, CursorWrapper)


def test_a_driver_error_is_djangos_and_the_cursor_still_serves():
    with pytest.raises(IntegrityError), transaction.atomic():
        sql.execute(
            f"INSERT INTO {sql.table(Order)} (id) VALUES (%s)",
            [1],
        )

    assert sql.row("SELECT 2") == (2,)


def test_a_broken_transaction_is_refused_as_by_djangos_cursor():
    from django.db.transaction import TransactionManagementError

    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            sql.execute(f"INSERT INTO {sql.table(Order)} (id) VALUES (1)")
        with pytest.raises(TransactionManagementError):
            sql.row("SELECT 1")


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_gets_a_new_cursor():
    sql.row("SELECT 1")
    before = _kept()

    connection.close()
    assert sql.row("SELECT 3") == (3,)

    assert _kept() is not before
    assert before.connection.closed


def test_recorded_statements_go_through_djangos_cursor():
    with CaptureQueriesContext(connection) as captured:
        sql.row("SELECT %s::int", [7])
        sql.execute("SELECT 1")

    assert [q["sql"] for q in captured.captured_queries] == ["SELECT 7::int", "SELECT 1"]

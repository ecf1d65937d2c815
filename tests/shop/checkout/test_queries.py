"""The checkout's hand-written statement (shop/checkout/queries.py), on every engine."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shop.checkout.queries import customer_checkouts_lock
from tests.connections import separate_connection

pytestmark = pytest.mark.django_db


def test_a_customer_lock_is_nothing_sent_where_one_writer_runs_at_a_time():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL takes the lock: the next test")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        customer_checkouts_lock("email:a@example.com")
    assert len(queries) == 0


@pytest.mark.postgresql
def test_a_customer_lock_is_held_until_the_transaction_ends():
    other = separate_connection(autocommit=True)
    try:
        taken = "SELECT pg_try_advisory_lock(hashtext(%s))"
        with transaction.atomic():
            customer_checkouts_lock("email:a@example.com")
            assert other.execute(taken, ["email:a@example.com"]).fetchone() == (False,)
            assert other.execute(taken, ["email:b@example.com"]).fetchone() == (True,)
    finally:
        other.close()

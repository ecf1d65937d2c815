"""The checkout's hand-written statement: only what the ORM cannot say. It goes through
Django's cursor and is tested on PostgreSQL and SQLite
(tests/shop/checkout/test_queries.py)."""

from __future__ import annotations

from django.db import connection


def customer_checkouts_lock(key: str) -> None:
    """Hold the lock named ``key`` (one customer's) until the transaction ends: a second
    checkout of the same customer waits here until the first commits.

    Hand-written: it locks a name, not a row (a guest has no row to lock, and the
    orders a limit counts are not written yet); the ORM has no word for PostgreSQL's
    advisory locks. SQLite runs one writing transaction at a time, which already keeps
    one customer's checkouts apart: there nothing is sent."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])

"""Statements of the partners domain that the ORM cannot say in one round trip.

``report_rows_add``: add increments to report rows, inserting the rows that are not
there yet. Django's ``bulk_create(update_conflicts=True)`` can only overwrite a row with
the new values, not add to it, and reading the rows first would take a round trip and
a race per batch. ``INSERT ... ON CONFLICT ... DO UPDATE SET x = x + excluded.x`` is
one statement on PostgreSQL and on SQLite (3.24 and later) alike; it is tested on both
(tests/partners/test_queries.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import Model

FIGURES = ("units", "units_refunded", "gross", "refunds", "own_share")
# Rows per statement: far below SQLite's limit of parameters in one statement.
BATCH = 500


def report_rows_add(
    model: type[Model],
    key_columns: Sequence[str],
    rows: Sequence[tuple[tuple, tuple[int, int, Decimal, Decimal, Decimal]]],
) -> None:
    """Add ``rows`` ((key values, figures in FIGURES' order)) to ``model``'s table, in
    the order given: callers sort them by key, so concurrent writers take the rows in
    the same order and never wait on each other in a cycle."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [*key_columns, *FIGURES]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    keys = ", ".join(connection.ops.quote_name(c) for c in key_columns)
    updates = ", ".join(
        f"{connection.ops.quote_name(c)} = {table}.{connection.ops.quote_name(c)}"
        f" + excluded.{connection.ops.quote_name(c)}"
        for c in FIGURES
    )
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES {', '.join([one] * len(batch))}"  # noqa: S608
                f" ON CONFLICT ({keys}) DO UPDATE SET {updates}",
                [value for key, figures in batch for value in (*key, *figures)],
            )

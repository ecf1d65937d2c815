"""The two statements on stock rows the ORM cannot say in one round trip.

A checkout holds units, and an expiry or a cancellation gives them back, hundreds of
times a second when a livestream drop opens. Each is one conditional ``UPDATE`` that
also answers the free units left (``RETURNING``): the hold needs them to know whether it
took the row's last free units (the product list must then show it sold out), the
release whether they are the first units to come back. The ORM's ``update()`` answers
only a count of rows, so it would need a second statement, or a second try of the
update on another condition, for every hold.

Both go through Django's cursor (so its instrumentation sees them) and run on
PostgreSQL and SQLite (3.35 or later, which has ``RETURNING``). The table is the stock
rows' own (``catalog_stock``); tests/catalog/stock/test_queries.py checks both engines.
Each also stamps the row's ``updated_at``, as every change of a stock row does.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

_HOLD = (
    "UPDATE catalog_stock SET quantity_reserved = quantity_reserved + %s, updated_at = %s"
    " WHERE id = %s AND quantity >= quantity_reserved + %s"
    " RETURNING quantity - quantity_reserved"
)
_RELEASE = (
    "UPDATE catalog_stock SET quantity_reserved = quantity_reserved - %s, updated_at = %s"
    " WHERE id = %s AND quantity_reserved >= %s"
    " RETURNING quantity - quantity_reserved"
)


def _free_after(statement: str, stock_id: int, quantity: int) -> int | None:
    with connection.cursor() as cursor:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(statement, [quantity, now, stock_id, quantity])
        found = cursor.fetchone()
    return None if found is None else int(found[0])


def stock_hold_units(*, stock_id: int, quantity: int) -> int | None:
    """Reserve ``quantity`` units of the stock row if that many are free; answers the
    free units left then, or None (and changes nothing) when too few were free."""
    return _free_after(_HOLD, stock_id, quantity)


def stock_release_units(*, stock_id: int, quantity: int) -> int | None:
    """Give back ``quantity`` reserved units of the stock row; answers the free units
    then, or None (and changes nothing) when fewer than that were reserved."""
    return _free_after(_RELEASE, stock_id, quantity)

"""Statements of the partners domain that the ORM cannot say in one round trip.

Each is a fixed text, run through Django's cursor, on PostgreSQL and on SQLite alike;
each has a test of its own on both (tests/partners/test_queries.py). The tables are
the partners app's own (``partners_<model>``), named as Django names them.

Adding to the report rows (``report_rows_add``): Django's
``bulk_create(update_conflicts=True)`` can only overwrite a row with the new values,
not add to it, and reading the rows first would take a round trip and a race per
batch. ``INSERT ... ON CONFLICT ... DO UPDATE SET x = x + excluded.x`` adds in one
statement per row, sent together (``executemany``).

Holding settlements open (``settlement_status_held``, ``settlements_of_month_held``,
``settlements_held``): an event's writer holds the settlements its entries go into
FOR SHARE, so many writers hold one settlement at once while closing it (which takes
it exclusively, ``select_for_update(no_key=True)``) waits for them. Django's
``select_for_update`` has no shared mode. SQLite has no row locks (a writing
transaction holds the whole database), so there the same statements run without the
lock clause.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import Model

from partners.models import DailySales, DailyTotals, MonthlyProductSales

FIGURES = ("units", "units_refunded", "gross", "refunds", "own_share")

_DAILY_SALES_ADD = (
    "INSERT INTO partners_dailysales"
    " (partner_id, day, channel_id, product_id, collection_id, warehouse_id,"
    " units, units_refunded, gross, refunds, own_share)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (partner_id, day, channel_id, product_id, collection_id, warehouse_id)"
    " DO UPDATE SET units = partners_dailysales.units + excluded.units,"
    " units_refunded = partners_dailysales.units_refunded + excluded.units_refunded,"
    " gross = partners_dailysales.gross + excluded.gross,"
    " refunds = partners_dailysales.refunds + excluded.refunds,"
    " own_share = partners_dailysales.own_share + excluded.own_share"
)
_DAILY_TOTALS_ADD = (
    "INSERT INTO partners_dailytotals"
    " (partner_id, day, channel_id, collection_id, warehouse_id,"
    " units, units_refunded, gross, refunds, own_share)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (partner_id, day, channel_id, collection_id, warehouse_id)"
    " DO UPDATE SET units = partners_dailytotals.units + excluded.units,"
    " units_refunded = partners_dailytotals.units_refunded + excluded.units_refunded,"
    " gross = partners_dailytotals.gross + excluded.gross,"
    " refunds = partners_dailytotals.refunds + excluded.refunds,"
    " own_share = partners_dailytotals.own_share + excluded.own_share"
)
_MONTHLY_PRODUCT_SALES_ADD = (
    "INSERT INTO partners_monthlyproductsales"
    " (partner_id, month, product_id, units, units_refunded, gross, refunds, own_share)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (partner_id, month, product_id)"
    " DO UPDATE SET units = partners_monthlyproductsales.units + excluded.units,"
    " units_refunded = partners_monthlyproductsales.units_refunded + excluded.units_refunded,"
    " gross = partners_monthlyproductsales.gross + excluded.gross,"
    " refunds = partners_monthlyproductsales.refunds + excluded.refunds,"
    " own_share = partners_monthlyproductsales.own_share + excluded.own_share"
)
# The key columns each statement takes first, in its order.
REPORT_ROWS: dict[type[Model], tuple[tuple[str, ...], str]] = {
    DailySales: (
        ("partner_id", "day", "channel_id", "product_id", "collection_id", "warehouse_id"),
        _DAILY_SALES_ADD,
    ),
    DailyTotals: (
        ("partner_id", "day", "channel_id", "collection_id", "warehouse_id"),
        _DAILY_TOTALS_ADD,
    ),
    MonthlyProductSales: (("partner_id", "month", "product_id"), _MONTHLY_PRODUCT_SALES_ADD),
}


def report_rows_add(
    model: type[Model],
    rows: Sequence[tuple[tuple, tuple[int, int, Decimal, Decimal, Decimal]]],
) -> None:
    """Add ``rows`` ((key values in ``REPORT_ROWS[model]``'s order, figures in FIGURES'
    order)) to ``model``'s rows, inserting those not there yet, in the order given:
    callers sort them by key, so concurrent writers take the rows in the same order and
    never wait on each other in a cycle."""
    if not rows:
        return
    _, statement = REPORT_ROWS[model]
    with connection.cursor() as cursor:
        cursor.executemany(statement, [(*key, *figures) for key, figures in rows])


def _locks_rows() -> bool:
    return bool(connection.features.has_select_for_update)


_SETTLEMENT_STATUS = "SELECT status FROM partners_settlement WHERE id = %s"
_SETTLEMENT_STATUS_HELD = "SELECT status FROM partners_settlement WHERE id = %s FOR SHARE"


def settlement_status_held(settlement_id: int) -> str:
    """A settlement's status, the settlement held (FOR SHARE) until the transaction ends."""
    statement = _SETTLEMENT_STATUS_HELD if _locks_rows() else _SETTLEMENT_STATUS
    with connection.cursor() as cursor:
        cursor.execute(statement, [settlement_id])
        return str(cursor.fetchone()[0])


# Partners read by one statement: an order's partners are far fewer; more are read by
# further statements. Slots left over repeat the first id, which IN ignores.
SLOTS = 16
_SETTLEMENTS_OF_MONTH = (
    "SELECT p.id, p.timezone, s.id, s.status FROM partners_partner p"
    " JOIN partners_settlement s ON s.partner_id = p.id AND s.period = %s"
    " WHERE p.id IN (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    " ORDER BY s.id"
)
_SETTLEMENTS_OF_MONTH_HELD = (
    "SELECT p.id, p.timezone, s.id, s.status FROM partners_partner p"
    " JOIN partners_settlement s ON s.partner_id = p.id AND s.period = %s"
    " WHERE p.id IN (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    " ORDER BY s.id FOR SHARE OF s"
)


def _chunks(values: Sequence, size: int = SLOTS) -> Iterable[list]:
    """``values`` in lists of ``size``, the last one filled up with its first value."""
    for start in range(0, len(values), size):
        chunk = list(values[start : start + size])
        yield chunk + [chunk[0]] * (size - len(chunk))


def settlements_of_month_held(
    month: dt.date, partner_ids: Sequence[int]
) -> list[tuple[int, str, int, str]]:
    """(partner id, its timezone, settlement id, status) of these partners' settlements
    of ``month`` that exist, held (FOR SHARE, in settlement id order)."""
    statement = _SETTLEMENTS_OF_MONTH_HELD if _locks_rows() else _SETTLEMENTS_OF_MONTH
    found: list[tuple[int, str, int, str]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(set(partner_ids))):
            cursor.execute(statement, [month, *chunk])
            found += [(p, zone, s, status) for p, zone, s, status in cursor.fetchall()]
    return found


# Sixteen (partner, period) pairs, as SLOTS.
_SETTLEMENTS = (
    "SELECT id, partner_id, status FROM partners_settlement WHERE (partner_id, period) IN ("
    " (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s),"
    " (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s))"
    " ORDER BY id"
)
_SETTLEMENTS_HELD = (
    "SELECT id, partner_id, status FROM partners_settlement WHERE (partner_id, period) IN ("
    " (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s),"
    " (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s), (%s, %s))"
    " ORDER BY id FOR SHARE"
)


def settlements_held(periods: Mapping[int, dt.date]) -> list[tuple[int, int, str]]:
    """(settlement id, partner id, status) of the settlements of these partners and
    months (``{partner_id: period}``) that exist, held (FOR SHARE, in id order)."""
    statement = _SETTLEMENTS_HELD if _locks_rows() else _SETTLEMENTS
    found: list[tuple[int, int, str]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(periods.items())):
            cursor.execute(statement, [value for pair in chunk for value in pair])
            found += [(pk, partner_id, status) for pk, partner_id, status in cursor.fetchall()]
    return found

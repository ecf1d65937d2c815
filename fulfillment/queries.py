"""Fulfilment's hand-written statements: only what the ORM cannot say in one round trip
where that round trip matters. Each goes through Django's cursor and answers the same on
PostgreSQL and SQLite (tests/fulfillment/test_queries.py runs it on both)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections, router, transaction

from fulfillment.models import Shipment

# The table the statement names, as the model names it (checked by its test).
TABLES = {"shipment": "fulfillment_shipment"}


@dataclass(frozen=True)
class Waybill:
    """A waybill to write on a shipment still waiting for one in status ``status``."""

    shipment_id: int
    status: str  # the status the shipment is in: written only while it still is
    new_status: str
    waybill_number: str
    label_pdf: bytes


_COLUMNS = 5  # a waybill's values in the statement


# Every waybill in one statement: each shipment written only while it is in the status
# its booking saw, has no waybill, and no other shipment of its carrier holds the number;
# the shipments written are returned. BOOKINGS stands for the bookings' rows of values.
_SHIPMENTS_BOOK = """
WITH booking (id, status, new_status, waybill_number, label_pdf) AS (VALUES BOOKINGS)
UPDATE fulfillment_shipment SET status = booking.new_status,
    waybill_number = booking.waybill_number, label_pdf = booking.label_pdf,
    booked_at = %s, updated_at = %s,
    booking_attempts = fulfillment_shipment.booking_attempts + 1
FROM booking
WHERE fulfillment_shipment.id = booking.id
    AND fulfillment_shipment.status = booking.status
    AND fulfillment_shipment.waybill_number = ''
    AND NOT EXISTS (
        SELECT 1 FROM fulfillment_shipment other
        WHERE other.carrier = fulfillment_shipment.carrier
            AND other.waybill_number = booking.waybill_number
            AND other.id <> fulfillment_shipment.id
    )
RETURNING fulfillment_shipment.id
"""


@functools.cache
def _shipments_book_sql(count: int) -> str:
    """The statement for ``count`` bookings: only placeholders are put in its text."""
    row = "(" + ", ".join(["%s"] * _COLUMNS) + ")"
    return _SHIPMENTS_BOOK.replace("BOOKINGS", ", ".join([row] * count))


def shipments_book(waybills: Sequence[Waybill], now: datetime) -> set[int]:
    """Write each shipment's waybill, booked at ``now``, and return the shipments
    written. One left out is no longer in the status its booking saw, already has a
    waybill, or would take a number another shipment of its carrier holds: the caller
    leaves it to a booking of its own, which records why.

    Hand-written: the ORM's update writes one value for every row and does not say
    which rows it wrote, so a split with several shipments would book them one update
    each and could not tell a number already taken from one written (the unique key
    would fail the whole split's transaction instead)."""
    if not waybills:
        return set()
    alias = router.db_for_write(Shipment)
    connection = connections[alias]
    booked_at = Shipment._meta.get_field("booked_at").get_db_prep_value(now, connection)
    label = Shipment._meta.get_field("label_pdf")
    params: list[Any] = []
    for waybill in waybills:
        params += (
            waybill.shipment_id,
            waybill.status,
            waybill.new_status,
            waybill.waybill_number,
            label.get_db_prep_value(waybill.label_pdf, connection),
        )
    params += (booked_at, booked_at)
    # As update() does: an error leaves the transaction marked for its rollback.
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(_shipments_book_sql(len(waybills)), params)
        return {row[0] for row in cursor.fetchall()}

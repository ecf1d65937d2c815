"""The report rows: what each money event adds to the partners' daily sales rows and to
their two sums, the daily totals and the monthly product rows (:mod:`partners.models.reports`).

An event writes its additions as ``ReportDelta`` rows in its own transaction (inserts
that wait on nobody); ``report_rows_catch_up`` adds waiting deltas to the rows in a
short transaction of its own. It runs from the beat schedule every few seconds, and
every report reads through it first, so a report always includes every committed
event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from partners.models import DailySales, DailyTotals, MonthlyProductSales, ReportDelta
from partners.queries import REPORT_ROWS, report_rows_add
from shop.core.money import from_fen, to_fen

# The daily rows' key, and the two sums of them kept alongside, in the order every
# writer takes them: (table, key columns as its statement takes them; "month" is the
# first day of the daily key's day).
ROLLUPS = tuple(
    (model, REPORT_ROWS[model][0]) for model in (DailySales, DailyTotals, MonthlyProductSales)
)
DAILY_KEY = REPORT_ROWS[DailySales][0]
CATCH_UP_BATCH = 5000


@dataclass
class Increment:
    """What an event adds to one daily row; money in fen."""

    units: int = 0
    units_refunded: int = 0
    gross: int = 0
    refunds: int = 0
    own_share: int = 0

    def add(self, other: Increment) -> None:
        self.units += other.units
        self.units_refunded += other.units_refunded
        self.gross += other.gross
        self.refunds += other.refunds
        self.own_share += other.own_share


def report_deltas_write(increments: dict[tuple, Increment]) -> None:
    """Record an event's additions to the daily rows (keyed by DAILY_KEY)."""
    ReportDelta.objects.bulk_create(
        ReportDelta(
            **dict(zip(DAILY_KEY, key, strict=True)),
            units=inc.units,
            units_refunded=inc.units_refunded,
            gross=from_fen(inc.gross),
            refunds=from_fen(inc.refunds),
            own_share=from_fen(inc.own_share),
        )
        for key, inc in sorted(increments.items())
    )


def _summed(deltas: Iterable[ReportDelta], key_columns: tuple[str, ...]) -> dict[tuple, Increment]:
    summed: dict[tuple, Increment] = defaultdict(Increment)
    for delta in deltas:
        values = {column: getattr(delta, column, None) for column in DAILY_KEY}
        values["month"] = delta.day.replace(day=1)
        summed[tuple(values[column] for column in key_columns)].add(
            Increment(
                delta.units,
                delta.units_refunded,
                to_fen(delta.gross),
                to_fen(delta.refunds),
                to_fen(delta.own_share),
            )
        )
    return summed


def report_rows_catch_up(*, limit: int = CATCH_UP_BATCH) -> int:
    """Add waiting report deltas to the report rows, the oldest first, at most ``limit``
    of them; returns how many. Deltas another transaction is adding are left to it."""
    if not ReportDelta.objects.exists():
        return 0
    with transaction.atomic():
        deltas = list(
            ReportDelta.objects.select_for_update(of=("self",), skip_locked=True).order_by("pk")[
                :limit
            ]
        )
        if not deltas:
            return 0
        # Every writer takes the tables in this order and the rows in key order.
        for model, key_columns in ROLLUPS:
            summed = _summed(deltas, key_columns)
            report_rows_add(
                model,
                [
                    (
                        key,
                        (
                            inc.units,
                            inc.units_refunded,
                            from_fen(inc.gross),
                            from_fen(inc.refunds),
                            from_fen(inc.own_share),
                        ),
                    )
                    for key, inc in sorted(summed.items())
                ],
            )
        ReportDelta.objects.filter(pk__in=[delta.pk for delta in deltas]).delete()
    return len(deltas)


def report_rows_current() -> None:
    """Make the report rows include every committed event (what reports read through)."""
    while report_rows_catch_up() == CATCH_UP_BATCH:
        pass

"""Which settlement an event's entries land in: its month in the partner's timezone, held open
until the event commits, or the next open month."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from partners.models import (
    LedgerEntry,
    Partner,
    Settlement,
    SettlementStatus,
)
from tests.connections import separate_connection
from tests.factories.ledger import (
    daily_rows,
    paid_order,
    variant,
)

pytestmark = pytest.mark.django_db


def _periods(order) -> set[dt.date]:
    """The settlement months the order's ledger entries landed in."""
    return set(LedgerEntry.objects.filter(order=order).values_list("period", flat=True))


def test_entries_land_in_the_month_of_the_event_in_the_partner_timezone(
    blossoms_agreement, blossoms, media_web
):
    # 16:30 UTC on 31 May is already 1 June in Shanghai.
    order, _ = paid_order(
        channel=media_web,
        items=[(variant(blossoms), 1)],
        paid_at=dt.datetime(2025, 5, 31, 16, 30, tzinfo=dt.UTC),
    )

    assert _periods(order) == {dt.date(2025, 6, 1)}
    assert set(daily_rows().values_list("day", flat=True)) == {dt.date(2025, 6, 1)}
    assert Settlement.objects.filter(period=dt.date(2025, 6, 1)).count() == 2


@pytest.mark.parametrize(
    ("zone", "paid_at", "period"),
    [
        # 16:30 UTC on 31 May is 1 June in Shanghai, still 31 May in New York.
        ("Asia/Shanghai", dt.datetime(2025, 5, 31, 16, 30, tzinfo=dt.UTC), dt.date(2025, 6, 1)),
        ("America/New_York", dt.datetime(2025, 5, 31, 16, 30, tzinfo=dt.UTC), dt.date(2025, 5, 1)),
        # 02:00 UTC on 1 June is 31 May in New York.
        ("America/New_York", dt.datetime(2025, 6, 1, 2, 0, tzinfo=dt.UTC), dt.date(2025, 5, 1)),
    ],
)
def test_with_both_months_open_entries_land_in_the_partners_local_month(
    blossoms_agreement, blossoms, media_web, zone, paid_at, period
):
    partners = Partner.objects.all()
    partners.update(timezone=zone)
    for partner in partners:
        for month in (dt.date(2025, 5, 1), dt.date(2025, 6, 1)):
            Settlement.objects.get_or_create(partner=partner, period=month)

    order, _ = paid_order(channel=media_web, items=[(variant(blossoms), 1)], paid_at=paid_at)

    entries = LedgerEntry.objects.filter(order=order)
    assert {entry.period for entry in entries} == {period}
    assert {entry.settlement.period for entry in entries} == {period}
    assert set(daily_rows().values_list("day", flat=True)) == {
        paid_at.astimezone(ZoneInfo(zone)).date()
    }


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_at_the_turn_of_a_month_the_settlement_being_closed_is_not_waited_for(
    blossoms_agreement, blossoms, media_web
):
    """An event of the new month (in the partners' timezone) holds only the new month's
    settlements: closing the old month, which takes its settlements exclusively, goes on
    meanwhile."""
    for partner in Partner.objects.all():
        for month in (dt.date(2025, 5, 1), dt.date(2025, 6, 1)):
            Settlement.objects.get_or_create(partner=partner, period=month)
    closing = separate_connection()
    try:
        closing.execute(
            f"SELECT id FROM {Settlement._meta.db_table} WHERE period = %s FOR UPDATE",
            [dt.date(2025, 5, 1)],
        )
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        # 16:30 UTC on 31 May is 1 June in Shanghai.
        order, _ = paid_order(
            channel=media_web,
            items=[(variant(blossoms), 1)],
            paid_at=dt.datetime(2025, 5, 31, 16, 30, tzinfo=dt.UTC),
        )
    finally:
        closing.rollback()
        closing.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert _periods(order) == {dt.date(2025, 6, 1)}


def test_an_event_in_a_closed_month_lands_in_the_next_open_one(
    blossoms_agreement, blossoms, media_web
):
    for partner in Partner.objects.all():
        Settlement.objects.get_or_create(partner=partner, period=dt.date(2025, 6, 1))
        Settlement.objects.filter(partner=partner).update(
            status=SettlementStatus.CLOSED, closed_at=dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
        )

    order, _ = paid_order(
        channel=media_web,
        items=[(variant(blossoms), 1)],
        paid_at=dt.datetime(2025, 6, 10, 8, 0, tzinfo=dt.UTC),
    )

    assert _periods(order) == {dt.date(2025, 7, 1)}

"""The partners' named statements (partners/queries.py), each on its own, on every
engine the shop runs on."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections, transaction

from partners.models import (
    DailySales,
    DailyTotals,
    MonthlyProductSales,
    Settlement,
    SettlementStatus,
)
from partners.queries import (
    SLOTS,
    report_rows_add,
    settlement_status_held,
    settlements_held,
    settlements_of_month_held,
)
from tests import factories

MAY = dt.date(2026, 5, 1)
JUNE = dt.date(2026, 6, 1)


def _figures(row) -> tuple:
    return (row.units, row.units_refunded, row.gross, row.refunds, row.own_share)


def _added_twice(model, key_of):
    first = [(key_of(7), (1, 0, Decimal("10.10"), Decimal("0.00"), Decimal("6.06")))]
    again = [
        (key_of(7), (2, 1, Decimal("0.20"), Decimal("10.10"), Decimal("0.12"))),
        (key_of(8), (5, 0, Decimal("1.00"), Decimal("0.00"), Decimal("0.60"))),
    ]
    report_rows_add(model, first)
    report_rows_add(model, again)


ADDED = {
    7: (3, 1, Decimal("10.30"), Decimal("10.10"), Decimal("6.18")),
    8: (5, 0, Decimal("1.00"), Decimal("0.00"), Decimal("0.60")),
}


@pytest.mark.django_db
def test_adding_to_daily_sales_inserts_new_rows_and_adds_to_existing_ones(museum):
    _added_twice(DailySales, lambda product: (museum.pk, MAY, 3, product, 0, 0))

    rows = DailySales.objects.filter(partner=museum, day=MAY, channel_id=3)
    assert {row.product_id: _figures(row) for row in rows} == ADDED


@pytest.mark.django_db
def test_adding_to_daily_totals_inserts_new_rows_and_adds_to_existing_ones(museum):
    _added_twice(DailyTotals, lambda collection: (museum.pk, MAY, 3, collection, 0))

    rows = DailyTotals.objects.filter(partner=museum, day=MAY, channel_id=3)
    assert {row.collection_id: _figures(row) for row in rows} == ADDED


@pytest.mark.django_db
def test_adding_to_monthly_product_sales_inserts_new_rows_and_adds_to_existing_ones(museum):
    _added_twice(MonthlyProductSales, lambda product: (museum.pk, MAY, product))

    rows = MonthlyProductSales.objects.filter(partner=museum, month=MAY)
    assert {row.product_id: _figures(row) for row in rows} == ADDED


@pytest.mark.django_db
def test_adding_nothing_writes_nothing(museum):
    report_rows_add(DailySales, [])

    assert not DailySales.objects.exists()


@pytest.mark.django_db
def test_a_settlement_status_is_read_as_stored(museum):
    open_one = Settlement.objects.create(partner=museum, period=MAY)
    closed = Settlement.objects.create(
        partner=museum,
        period=JUNE,
        status=SettlementStatus.CLOSED,
        closed_at=dt.datetime.now(dt.UTC),
    )

    assert settlement_status_held(open_one.pk) == SettlementStatus.OPEN
    assert settlement_status_held(closed.pk) == SettlementStatus.CLOSED


@pytest.mark.django_db
def test_the_settlements_of_a_month_come_with_their_partners_timezones_in_id_order(museum, media):
    media.timezone = "America/New_York"
    media.save()
    late = Settlement.objects.create(partner=media, period=MAY)
    early = Settlement.objects.create(partner=museum, period=MAY)
    Settlement.objects.create(partner=museum, period=JUNE)
    nobody = factories.PartnerFactory(code="nobody")

    rows = settlements_of_month_held(MAY, [museum.pk, media.pk, nobody.pk])

    expected = [
        (media.pk, "America/New_York", late.pk, "open"),
        (museum.pk, "Asia/Shanghai", early.pk, "open"),
    ]
    assert rows == sorted(expected, key=lambda row: row[2])


@pytest.mark.django_db
def test_more_partners_than_one_statement_holds_are_all_read(db):
    partners = [factories.PartnerFactory(code=f"p{n}") for n in range(SLOTS + 2)]
    settlements = [Settlement.objects.create(partner=p, period=MAY) for p in partners]

    rows = settlements_of_month_held(MAY, [p.pk for p in partners])

    assert sorted(row[2] for row in rows) == sorted(s.pk for s in settlements)
    periods = {p.pk: MAY for p in partners}
    assert sorted(row[0] for row in settlements_held(periods)) == sorted(s.pk for s in settlements)


@pytest.mark.django_db
def test_settlements_are_read_for_each_partner_s_own_month_only(museum, media):
    museum_may = Settlement.objects.create(partner=museum, period=MAY)
    Settlement.objects.create(partner=museum, period=JUNE)
    Settlement.objects.create(partner=media, period=MAY)
    media_june = Settlement.objects.create(
        partner=media,
        period=JUNE,
        status=SettlementStatus.CLOSED,
        closed_at=dt.datetime.now(dt.UTC),
    )

    rows = settlements_held({museum.pk: MAY, media.pk: JUNE})

    assert rows == sorted([(museum_may.pk, museum.pk, "open"), (media_june.pk, media.pk, "closed")])


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_held_settlement_cannot_be_taken_exclusively_until_its_holder_commits(museum):
    settlement = Settlement.objects.create(partner=museum, period=MAY)
    taken: list[str] = []

    def take_exclusively() -> None:
        try:
            with transaction.atomic():
                Settlement.objects.select_for_update(nowait=True, no_key=True).get(pk=settlement.pk)
                taken.append("taken")
        except OperationalError:
            taken.append("refused")
        finally:
            connections.close_all()

    with transaction.atomic():
        settlement_status_held(settlement.pk)
        settlements_of_month_held(MAY, [museum.pk])
        settlements_held({museum.pk: MAY})
        other = threading.Thread(target=take_exclusively)
        other.start()
        other.join()
    assert connection.vendor == "postgresql"
    assert taken == ["refused"]

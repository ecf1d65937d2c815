"""Money events add to the partners' report rows without waiting on one another: each
writes report deltas, added to the rows moments later (partners/rollups.py)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from partners.models import DailySales, DailyTotals, MonthlyProductSales, ReportDelta
from partners.reports.rollups import report_rows_catch_up, report_rows_current
from shop.core.money import MoneySum
from tests import factories
from tests.factories.ledger import agreement_with_terms, paid_order, variant


@pytest.fixture
def fan(museum, media):
    collection = factories.CollectionFactory(slug="fans")
    agreement_with_terms(
        collection=collection,
        parties=[(museum, "licensor", 6000), (media, "designer", 4000)],
    )
    return variant(collection, "100.00", slug="fan")


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_payments_of_the_same_product_on_the_same_day_do_not_wait_on_each_other(fan, media):
    channel = factories.SalesChannelFactory(owner=media)
    # The month's settlements are opened by its first event; these two come later.
    paid_order(channel=channel, items=[(fan, 1)])
    written = threading.Event()
    finish = threading.Event()
    failed: list[BaseException] = []

    def first_payment_held_open() -> None:
        try:
            with transaction.atomic():
                paid_order(channel=channel, items=[(fan, 1)])
                written.set()
                assert finish.wait(30)
        except BaseException as exc:  # reported by the test below
            failed.append(exc)
            written.set()
        finally:
            connection.close()

    holder = threading.Thread(target=first_payment_held_open)
    holder.start()
    try:
        assert written.wait(30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Waiting on the first payment's rows would fail this one at once.
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            paid_order(channel=channel, items=[(fan, 2)])
    finally:
        finish.set()
        holder.join(30)
    assert failed == []

    report_rows_current()
    assert ReportDelta.objects.count() == 0
    partners = DailySales.objects.values("partner_id").distinct().count()
    assert (
        sum(DailySales.objects.filter(product_id=fan.product_id).values_list("units", flat=True))
        == 4 * partners
    )


@pytest.mark.django_db
def test_catching_up_adds_each_delta_once_and_leaves_none(fan, media):
    channel = factories.SalesChannelFactory(owner=media)
    paid_order(channel=channel, items=[(fan, 1)])
    paid_order(channel=channel, items=[(fan, 2)])
    waiting = ReportDelta.objects.count()
    assert waiting > 0

    assert report_rows_catch_up(limit=1) == 1
    assert report_rows_catch_up() == waiting - 1
    assert report_rows_catch_up() == 0

    rows = DailySales.objects.filter(product_id=fan.product_id)
    assert (
        sum(rows.values_list("units", flat=True))
        == 3 * rows.values("partner_id").distinct().count()
    )
    assert (
        DailySales.objects.aggregate(g=MoneySum("gross"))["g"]
        == DailyTotals.objects.aggregate(g=MoneySum("gross"))["g"]
    )
    assert (
        MonthlyProductSales.objects.aggregate(u=MoneySum("units"))["u"]
        == DailySales.objects.aggregate(u=MoneySum("units"))["u"]
    )

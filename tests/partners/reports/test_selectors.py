"""The daily totals and monthly product rows always equal the daily rows summed, and the
reports read them: summary, series and breakdowns from the totals, top products from the
monthly rows plus the daily rows of the days around whole months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from partners.models import DailySales, DailyTotals, MonthlyProductSales
from partners.reports.rollups import report_rows_current
from partners.reports.selectors import (
    FIGURES,
    ReportFilters,
    report_breakdown,
    report_sales_series,
    report_summary,
    report_top_products,
)
from tests import factories
from tests.factories.ledger import SHANGHAI, agreement_with_terms, paid_order, refund_of, shipped
from tests.factories.ledger import variant as variant_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(museum, media, media_web):
    """Sales of three products in two collections over three months, with a refund, a
    payment fee and a shipment fee; some in the museum's own web shop. Each month has
    sales early and late, so a period cut inside a month differs from the whole month."""
    blossoms = factories.CollectionFactory(slug="blossoms")
    echoes = factories.CollectionFactory(slug="echoes")
    for collection in (blossoms, echoes):
        agreement_with_terms(
            collection=collection,
            parties=[(museum, "licensor", 6000), (media, "designer", 4000)],
            logistics_fee=Decimal("8.00"),
        )
    museum_web = factories.SalesChannelFactory(code="museum-web", owner=museum)
    fan = variant_in(blossoms, "88.80")
    scroll = variant_in(blossoms, "268.00")
    scarf = variant_in(echoes, "99.00")
    warehouse = factories.WarehouseFactory(partner=museum)

    def at(day: dt.date, hour: int = 12) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)

    plan = [
        (media_web, [(scroll, 5)], dt.date(2026, 9, 5)),
        (media_web, [(fan, 2), (scarf, 1)], dt.date(2026, 9, 30)),
        (media_web, [(scroll, 1)], dt.date(2026, 10, 1)),
        (museum_web, [(fan, 1), (scroll, 2)], dt.date(2026, 10, 15)),
        (media_web, [(scarf, 3)], dt.date(2026, 10, 31)),
        (museum_web, [(scarf, 1), (fan, 4)], dt.date(2026, 11, 2)),
        (museum_web, [(scarf, 7)], dt.date(2026, 11, 20)),
    ]
    orders = []
    for channel, items, day in plan:
        order, payment = paid_order(
            channel=channel, items=items, fee=Decimal("1.23"), paid_at=at(day)
        )
        orders.append((order, payment))
    refund_of(*orders[3], Decimal("50.00"), at=at(dt.date(2026, 10, 20)))
    shipped(orders[2][0], warehouse, at=at(dt.date(2026, 10, 2)))
    report_rows_current()
    return {"fan": fan, "scroll": scroll, "scarf": scarf, "blossoms": blossoms}


def _sums(rows, *keys):
    return {
        tuple(row[k] for k in keys): tuple(row[name] for name in FIGURES)
        for row in rows.values(*keys).annotate(**{n: Sum(n) for n in FIGURES}).order_by()
    }


def test_daily_totals_are_the_daily_rows_summed_over_products(sales):
    keys = ("partner_id", "day", "channel_id", "collection_id", "warehouse_id")

    assert DailyTotals.objects.count() > 0
    assert _sums(DailyTotals.objects, *keys) == _sums(DailySales.objects, *keys)


def test_monthly_product_rows_are_the_daily_rows_summed_over_each_month(sales):
    keys = ("partner_id", "product_id")
    for month in (dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)):
        daily = DailySales.objects.filter(day__year=month.year, day__month=month.month)

        assert _sums(MonthlyProductSales.objects.filter(month=month), *keys) == _sums(daily, *keys)
    assert set(MonthlyProductSales.objects.values_list("month", flat=True)) == {
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 1),
        dt.date(2026, 11, 1),
    }


def _top_from_daily_rows(partner, date_from, date_to, collection_id=None):
    rows = DailySales.objects.filter(partner=partner, day__gte=date_from, day__lte=date_to)
    if collection_id is not None:
        rows = rows.filter(collection_id=collection_id)
    summed = (
        rows.values("product_id")
        .annotate(**{n: Sum(n) for n in FIGURES})
        .order_by("-gross", "product_id")
    )
    return [(row["product_id"], row["units"], row["gross"], row["refunds"]) for row in summed]


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),  # a whole month
        (dt.date(2026, 10, 10), dt.date(2026, 10, 25)),  # inside one month
        (dt.date(2026, 9, 15), dt.date(2026, 11, 10)),  # part, whole, part
        (dt.date(2026, 9, 1), dt.date(2026, 11, 30)),  # three whole months
        (dt.date(2026, 10, 1), dt.date(2026, 11, 5)),  # whole, then part
    ],
)
def test_top_products_over_any_period_match_the_daily_rows(sales, museum, date_from, date_to):
    filters = ReportFilters(date_from=date_from, date_to=date_to)

    top = report_top_products(partner=museum, filters=filters, limit=10)

    assert [(r["id"], r["units"], r["gross"], r["refunds"]) for r in top] == _top_from_daily_rows(
        museum, date_from, date_to
    )


def test_top_products_of_one_collection(sales, museum):
    filters = ReportFilters(
        date_from=dt.date(2026, 9, 20),
        date_to=dt.date(2026, 11, 30),
        collection_id=sales["blossoms"].pk,
    )

    top = report_top_products(partner=museum, filters=filters, limit=1)

    blossoms = sales["blossoms"].pk
    expected = _top_from_daily_rows(museum, filters.date_from, filters.date_to, blossoms)
    assert [(r["id"], r["units"], r["gross"], r["refunds"]) for r in top] == expected[:1]
    assert top[0]["id"] == sales["scroll"].product_id


def test_a_monthly_report_never_reads_the_daily_rows_for_whole_months(sales, museum):
    filters = ReportFilters(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))

    with CaptureQueriesContext(connection) as queries:
        summary = report_summary(partner=museum, filters=filters)
        series = report_sales_series(partner=museum, filters=filters)
        by_channel = report_breakdown(partner=museum, filters=filters, by="channel")
        report_top_products(partner=museum, filters=filters)

    assert not [q for q in queries.captured_queries if "partners_dailysales" in q["sql"]]
    october = DailySales.objects.filter(partner=museum, day__month=10)
    assert summary["gross"] == october.aggregate(s=Sum("gross"))["s"]
    assert [row["period"] for row in series] == sorted(set(october.values_list("day", flat=True)))
    assert sum(row["gross"] for row in by_channel) == summary["gross"]

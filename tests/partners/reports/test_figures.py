"""The dashboard's key figures, comparisons, late events and inventory against hand
calculations on a small fixed data set.

The museum is the licensor at 60% of the blossoms; its own web shop takes no
commission, so each of its figures is easy to work out by hand:

    2025-10-03  fan x2       200.00
    2025-10-15  scroll + fan 350.00   refund of one fan 100.00 on 2025-10-20
    2025-10-28  fan x1       100.00
    2025-09-10  scroll x2    500.00
    2024-10-05  fan x3       300.00
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from partners.models import DailyTotals, Settlement
from partners.reports.figures import (
    months_shifted,
    report_comparison,
    report_key_figures,
    report_late_events,
    report_order_count,
)
from partners.reports.inventory import report_inventory, report_low_stock
from partners.reports.selectors import ReportFilters
from partners.settlements.closing import settlement_close
from tests import factories
from tests.factories.ledger import SHANGHAI, agreement_with_terms, paid_order, refund_of
from tests.factories.ledger import variant as variant_in

pytestmark = pytest.mark.django_db

OCTOBER = ReportFilters(dt.date(2025, 10, 1), dt.date(2025, 10, 31))


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def shop(museum, media):
    blossoms = factories.CollectionFactory(slug="blossoms")
    agreement_with_terms(
        collection=blossoms, parties=[(museum, "licensor", 6000), (media, "designer", 4000)]
    )
    channel = factories.SalesChannelFactory(
        code="museum-web", owner=museum, commission_rate=Decimal("0.0000")
    )
    fan = variant_in(blossoms, "100.00", name_zh="团扇", name_en="Silk fan")
    scroll = variant_in(blossoms, "250.00", name_zh="卷轴", name_en="Scroll")
    return {"channel": channel, "fan": fan, "scroll": scroll, "blossoms": blossoms}


@pytest.fixture
def sales(shop):
    channel, fan, scroll = shop["channel"], shop["fan"], shop["scroll"]
    paid_order(channel=channel, items=[(fan, 2)], paid_at=at(dt.date(2025, 10, 3)))
    second = paid_order(
        channel=channel, items=[(scroll, 1), (fan, 1)], paid_at=at(dt.date(2025, 10, 15))
    )
    paid_order(channel=channel, items=[(fan, 1)], paid_at=at(dt.date(2025, 10, 28)))
    paid_order(channel=channel, items=[(scroll, 2)], paid_at=at(dt.date(2025, 9, 10)))
    paid_order(channel=channel, items=[(fan, 3)], paid_at=at(dt.date(2024, 10, 5)))
    fan_line = second[0].lines.get(variant=fan)
    refund_of(
        *second,
        Decimal("100.00"),
        lines=[{"line_id": fan_line.pk, "quantity": 1}],
        at=at(dt.date(2025, 10, 20)),
    )
    return shop


def test_months_shifted_keeps_the_day_or_takes_the_months_last():
    assert months_shifted(dt.date(2025, 3, 31), -1) == dt.date(2025, 2, 28)
    assert months_shifted(dt.date(2024, 2, 29), -12) == dt.date(2023, 2, 28)
    assert months_shifted(dt.date(2025, 1, 15), -1) == dt.date(2024, 12, 15)


def test_key_figures_of_a_month_match_the_hand_calculation(sales, museum):
    figures = report_key_figures(partner=museum, filters=OCTOBER)

    assert figures["orders"] == 3
    assert figures["units"] == 5
    assert figures["units_refunded"] == 1
    assert figures["gross"] == Decimal("650.00")
    assert figures["refunds"] == Decimal("100.00")
    assert figures["net"] == Decimal("550.00")
    # 650.00 / 3 orders = 216.666...; 100 / 650 = 15.38%; 1 of 5 units = 20%.
    assert figures["average_order_value"] == Decimal("216.67")
    assert figures["refund_rate"] == Decimal("15.4")
    assert figures["return_rate"] == Decimal("20.0")
    # The museum's 60%: 390.00 of sales less 60.00 of the refund.
    assert figures["own_share"] == Decimal("330.00")


def test_comparison_sets_the_month_beside_the_month_and_the_year_before(sales, museum):
    current, previous, last_year = report_comparison(partner=museum, filters=OCTOBER)

    assert (previous["date_from"], previous["date_to"]) == (
        dt.date(2025, 9, 1),
        dt.date(2025, 9, 30),
    )
    assert (last_year["date_from"], last_year["date_to"]) == (
        dt.date(2024, 10, 1),
        dt.date(2024, 10, 31),
    )
    assert [c["orders"] for c in (current, previous, last_year)] == [3, 1, 1]
    assert [c["gross"] for c in (current, previous, last_year)] == [
        Decimal("650.00"),
        Decimal("500.00"),
        Decimal("300.00"),
    ]
    assert previous["average_order_value"] == Decimal("500.00")
    assert previous["refund_rate"] == Decimal("0.0")
    assert last_year["units"] == 3


def test_a_month_to_date_compares_with_the_same_days(sales, museum):
    so_far = ReportFilters(dt.date(2025, 10, 1), dt.date(2025, 10, 16))

    current, previous, _ = report_comparison(partner=museum, filters=so_far)

    assert current["orders"] == 2
    assert current["gross"] == Decimal("550.00")
    assert (previous["date_from"], previous["date_to"]) == (
        dt.date(2025, 9, 1),
        dt.date(2025, 9, 16),
    )


def test_an_empty_period_has_no_average_and_no_rates(shop, museum):
    figures = report_key_figures(partner=museum, filters=OCTOBER)

    assert figures["orders"] == 0
    assert (
        figures["average_order_value"],
        figures["refund_rate"],
        figures["return_rate"],
    ) == (None, None, None)


def test_order_count_follows_the_channel_and_collection_filters(sales, museum):
    other = factories.CollectionFactory(slug="echoes")

    by_channel = ReportFilters(OCTOBER.date_from, OCTOBER.date_to, sales["channel"].pk)
    by_other = ReportFilters(OCTOBER.date_from, OCTOBER.date_to, None, other.pk)

    assert report_order_count(partner=museum, filters=by_channel) == 3
    assert report_order_count(partner=museum, filters=by_other) == 0


def test_a_refund_booked_after_its_month_closed_is_a_late_event(shop, museum):
    order = paid_order(
        channel=shop["channel"], items=[(shop["fan"], 1)], paid_at=at(dt.date(2025, 10, 28))
    )
    october = Settlement.objects.get(partner=museum, period=dt.date(2025, 10, 1))
    settlement_close(settlement_id=october.pk, now=at(dt.date(2025, 11, 2)))

    refund_of(*order, Decimal("100.00"), at=at(dt.date(2025, 10, 31), hour=23))

    late = report_late_events(partner=museum, date_from=OCTOBER.date_from, date_to=OCTOBER.date_to)
    assert [(row["month"], row["settled_in"]) for row in late] == [
        (dt.date(2025, 10, 1), dt.date(2025, 11, 1))
    ]
    # The museum's 60% of the 100.00 refund comes off the next statement.
    assert late[0]["refunds"] == Decimal("-60.00")
    assert late[0]["net"] == Decimal("-60.00")
    # ... while October's figures count the refund in October.
    assert report_key_figures(partner=museum, filters=OCTOBER)["refunds"] == Decimal("100.00")


def test_inventory_shows_only_the_partners_warehouses(shop, museum, media):
    beijing = factories.WarehouseFactory(partner=museum, code="museum-bj", name_zh="北京仓")
    theirs = factories.WarehouseFactory(partner=media, code="media-sh")
    factories.StockFactory(
        warehouse=beijing,
        variant=shop["fan"],
        quantity=20,
        quantity_reserved=5,
        low_stock_threshold=10,
    )
    factories.StockFactory(
        warehouse=beijing,
        variant=shop["scroll"],
        quantity=8,
        quantity_reserved=2,
        low_stock_threshold=10,
    )
    factories.StockFactory(warehouse=theirs, variant=shop["fan"], quantity=99)
    # 12 units sold from Beijing in October, 2 of them refunded: 10 of 10 + 28 = 26.3%.
    DailyTotals.objects.create(
        partner=museum,
        day=dt.date(2025, 10, 9),
        channel_id=shop["channel"].pk,
        collection_id=shop["blossoms"].pk,
        warehouse_id=beijing.pk,
        units=12,
        units_refunded=2,
        gross=Decimal("1200.00"),
    )

    rows = report_inventory(partner=museum, filters=OCTOBER)
    low = report_low_stock(partner=museum, filters=OCTOBER)

    assert rows == [
        {
            "code": "museum-bj",
            "name": "北京仓",
            "on_hand": 28,
            "reserved": 7,
            "free": 21,
            "low": 1,
            "sold": 10,
            "sell_through": Decimal("26.3"),
        }
    ]
    assert [(row["sku"], row["free"]) for row in low] == [(shop["scroll"].sku, 6)]

"""Closing a month's settlement: its totals and lines from the ledger, once, and only when
the month is over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from partners.errors import SettlementPeriodNotOver
from partners.models import LedgerEntry, Settlement, SettlementEvent, SettlementLine
from partners.settlements.closing import settlement_close, settlements_close_due
from shop.core.money import MoneySum
from tests.factories.ledger import SHANGHAI, refund_of

pytestmark = pytest.mark.django_db

MAY = dt.datetime(2025, 5, 10, 12, tzinfo=SHANGHAI)
JUNE_3 = dt.datetime(2025, 6, 3, 9, tzinfo=SHANGHAI)


def test_closing_writes_totals_and_a_line_per_order_from_the_ledger(order_paid_in_may, museum):
    order, _ = order_paid_in_may
    settlement = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))

    closed = settlement_close(settlement_id=settlement.pk, now=JUNE_3)

    ledger_sum = LedgerEntry.objects.filter(partner=museum).aggregate(s=MoneySum("amount"))["s"]
    assert closed.status == "closed"
    assert closed.net == ledger_sum
    assert (closed.gross, closed.commissions, closed.payment_fees) == (
        Decimal("118.88"),
        Decimal("0.00"),
        Decimal("-0.91"),
    )
    line = SettlementLine.objects.get(settlement=settlement)
    assert (line.order_id, line.order_number, line.net) == (order.pk, order.number, closed.net)
    assert SettlementEvent.objects.filter(settlement=settlement, type="closed").count() == 1


def test_closing_before_the_month_is_over_is_refused_and_changes_nothing(order_paid_in_may, museum):
    settlement = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))

    with pytest.raises(SettlementPeriodNotOver):
        settlement_close(
            settlement_id=settlement.pk, now=dt.datetime(2025, 5, 31, 23, tzinfo=SHANGHAI)
        )

    settlement.refresh_from_db()
    assert settlement.status == "open"
    assert not SettlementLine.objects.exists()


def test_closing_twice_changes_nothing_and_a_late_refund_lands_in_the_next_month(
    order_paid_in_may, museum
):
    order, payment = order_paid_in_may
    settlements_close_due(now=JUNE_3)
    may = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))
    totals = (may.net, may.gross, may.refunds, may.closed_at)

    refund_of(order, payment, Decimal("20.00"), at=dt.datetime(2025, 5, 31, 10, tzinfo=SHANGHAI))
    assert settlements_close_due(now=JUNE_3) == []

    may.refresh_from_db()
    assert (may.net, may.gross, may.refunds, may.closed_at) == totals
    late = LedgerEntry.objects.filter(partner=museum, kind="refund_reversal")
    assert set(late.values_list("period", flat=True)) == {dt.date(2025, 6, 1)}
    assert SettlementLine.objects.filter(settlement=may).count() == 1


def test_close_due_closes_last_month_for_every_partner_even_when_empty(museum, media):
    closed = settlements_close_due(now=JUNE_3)

    assert sorted(Settlement.objects.filter(pk__in=closed).values_list("partner__code", "net")) == [
        ("media", Decimal("0.00")),
        ("museum", Decimal("0.00")),
    ]

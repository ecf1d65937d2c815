"""Demo orders: every channel sells, the money reconciles, a second run changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum

from partners.models import Agreement, LedgerEntry, Settlement
from shop.channels.models import SalesChannel
from shop.core.money import MoneySum
from shop.demo.data import demo_load
from shop.demo.data.orders import demo_orders_load
from shop.orders.models import Order
from shop.payments.models import Payment, Refund

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 7, 15, 12, tzinfo=dt.UTC)


def test_demo_orders_reconcile_and_load_once():
    demo_load()

    made = demo_orders_load(months=3, per_day=3, now=NOW)
    entries = LedgerEntry.objects.count()
    again = demo_orders_load(months=3, per_day=3, now=NOW)

    assert made > 100
    assert again == 0
    assert LedgerEntry.objects.count() == entries
    assert Agreement.objects.count() == 3
    assert set(Order.objects.values_list("channel__code", flat=True)) == set(
        SalesChannel.objects.values_list("code", flat=True)
    )
    assert Refund.objects.exists()
    captured = Payment.objects.aggregate(s=MoneySum("amount"))["s"]
    fees = Payment.objects.aggregate(s=Sum("fee"))["s"]
    refunded = Refund.objects.aggregate(s=MoneySum("amount"))["s"]
    assert LedgerEntry.objects.aggregate(s=MoneySum("amount"))["s"] == captured - fees - refunded
    for partner_code in ("museum", "media"):
        closed = Settlement.objects.filter(partner__code=partner_code, status="closed")
        assert set(closed.values_list("period", flat=True)) == {
            dt.date(2025, 5, 1),
            dt.date(2025, 6, 1),
        }
        for settlement in closed:
            in_ledger = LedgerEntry.objects.filter(settlement=settlement).aggregate(
                s=MoneySum("amount")
            )["s"]
            assert settlement.net == in_ledger

"""The money hooks: what a payment, a refund and a shipment write to the ledger, exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.ledger.hooks import ledger_payment_record
from partners.models import LedgerEntry
from shop.core.money import MoneySum, to_fen
from shop.orders.models import OrderLine
from tests import factories
from tests.factories.ledger import (
    SHANGHAI,
    agreement_with_terms,
    daily_rows,
    entries_of,
    paid_order,
    refund_of,
    shipped,
    variant,
)

pytestmark = pytest.mark.django_db


def test_payment_writes_commission_shares_shipping_and_fee_exactly(
    blossoms_agreement, blossoms, media_web, museum, media
):
    item = variant(blossoms, "100.00")

    order, payment = paid_order(
        channel=media_web,
        items=[(item, 2)],
        discount=Decimal("10.00"),
        shipping=Decimal("12.00"),
        fee=Decimal("2.02"),
    )

    assert entries_of(order) == [
        ("media", "channel_commission", "channel_owner", Decimal("19.00")),
        ("museum", "sale_share", "licensor", Decimal("102.60")),
        ("media", "sale_share", "designer", Decimal("68.40")),
        ("media", "shipping_income", "logistics", Decimal("12.00")),
        ("museum", "payment_fee", "licensor", Decimal("-1.21")),
        ("media", "payment_fee", "designer", Decimal("-0.81")),
    ]
    commission = LedgerEntry.objects.get(order=order, kind="channel_commission")
    assert commission.commission_rate == Decimal("0.1000")
    assert OrderLine.objects.get(order=order).agreement_version == blossoms_agreement[1]
    total = LedgerEntry.objects.filter(order=order).aggregate(s=MoneySum("amount"))["s"]
    assert total == payment.amount - payment.fee


def test_payment_recorded_twice_writes_its_entries_once(blossoms_agreement, blossoms, media_web):
    _, payment = paid_order(channel=media_web, items=[(variant(blossoms), 1)])
    before = LedgerEntry.objects.count()
    daily_before = list(daily_rows().values_list("units", "gross", "own_share"))

    ledger_payment_record(payment=payment)

    assert LedgerEntry.objects.count() == before
    assert list(daily_rows().values_list("units", "gross", "own_share")) == daily_before


def test_full_refund_brings_every_partner_back_to_zero(blossoms_agreement, blossoms, media_web):
    order, payment = paid_order(
        channel=media_web, items=[(variant(blossoms, "99.99"), 3)], shipping=Decimal("12.00")
    )

    refund_of(order, payment, Decimal("100.00"))
    refund_of(order, payment, payment.amount - Decimal("100.00"))

    per_partner = (
        LedgerEntry.objects.filter(order=order)
        .values("partner__code")
        .annotate(s=MoneySum("amount"))
    )
    assert {row["partner__code"]: row["s"] for row in per_partner} == {
        "media": Decimal("0.00"),
        "museum": Decimal("0.00"),
    }


def test_partial_refund_by_line_reverses_that_line_only(blossoms_agreement, blossoms, media_web):
    first, second = variant(blossoms, "50.00"), variant(blossoms, "30.00")
    order, payment = paid_order(channel=media_web, items=[(first, 1), (second, 1)])
    second_line = OrderLine.objects.get(order=order, variant=second)

    refund_of(order, payment, Decimal("30.00"), lines=[{"line_id": second_line.pk, "quantity": 1}])

    reversed_lines = set(
        LedgerEntry.objects.filter(order=order, kind="refund_reversal").values_list(
            "order_line_id", flat=True
        )
    )
    assert reversed_lines == {second_line.pk}
    line_total = LedgerEntry.objects.filter(order_line=second_line).aggregate(s=MoneySum("amount"))
    assert line_total["s"] == Decimal("0.00")
    assert (
        daily_rows().filter(product_id=second.product_id).aggregate(u=Sum("units_refunded"))["u"]
        == 2
    )  # one unit, seen by each of the two partners


def test_refund_policy_parties_lets_the_channel_owner_keep_its_commission(
    blossoms, media_web, museum, media
):
    agreement_with_terms(
        collection=blossoms,
        parties=[(museum, "licensor", 10000)],
        refund_policy="parties",
    )
    order, payment = paid_order(channel=media_web, items=[(variant(blossoms, "100.00"), 1)])

    refund_of(order, payment, Decimal("100.00"))

    per_partner = dict(
        LedgerEntry.objects.filter(order=order)
        .values("partner__code")
        .annotate(s=MoneySum("amount"))
        .values_list("partner__code", "s")
    )
    assert per_partner == {"media": Decimal("10.00"), "museum": Decimal("-10.00")}


def test_shipment_fee_is_earned_by_the_warehouse_partner_and_paid_by_the_parties(
    blossoms_agreement, blossoms, media_web, museum, media
):
    order, _ = paid_order(channel=media_web, items=[(variant(blossoms), 1)])
    warehouse = factories.WarehouseFactory(partner=museum)

    shipped(order, warehouse)
    shipped(order, warehouse)  # the same shipment again: written once

    fees = [
        (code, role, amount)
        for code, kind, role, amount in entries_of(order)
        if kind == "logistics_fee"
    ]
    assert fees == [
        ("museum", "logistics", Decimal("8.00")),
        ("museum", "licensor", Decimal("-4.80")),
        ("media", "designer", Decimal("-3.20")),
    ]


def test_order_without_agreement_goes_to_the_channel_owner(blossoms, media_web, media):
    order, _ = paid_order(channel=media_web, items=[(variant(blossoms, "50.00"), 1)])

    assert entries_of(order) == [
        ("media", "channel_commission", "channel_owner", Decimal("5.00")),
        ("media", "sale_share", "seller", Decimal("45.00")),
    ]


class _Rollback(Exception):
    pass


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    prices=st.lists(st.integers(min_value=1, max_value=99999), min_size=1, max_size=3),
    quantity=st.integers(min_value=1, max_value=4),
    discount_cut=st.integers(min_value=0, max_value=50),
    shipping=st.integers(min_value=0, max_value=2000),
    fee=st.integers(min_value=0, max_value=500),
    refund_cuts=st.lists(st.integers(min_value=1, max_value=9), max_size=3),
    full=st.booleans(),
)
def test_any_order_ledger_sums_to_captured_less_refunds_and_fee(
    blossoms_agreement,
    blossoms,
    media_web,
    prices,
    quantity,
    discount_cut,
    shipping,
    fee,
    refund_cuts,
    full,
):
    from shop.core.money import from_fen, split_fen

    try:
        with transaction.atomic():
            items = [(variant(blossoms, str(from_fen(p))), quantity) for p in prices]
            subtotal = sum(p * quantity for p in prices)
            order, payment = paid_order(
                channel=media_web,
                items=items,
                discount=from_fen(subtotal * discount_cut // 100),
                shipping=from_fen(shipping),
                fee=from_fen(min(fee, to_fen(sum((v.price * q for v, q in items), Decimal(0))))),
            )
            captured = to_fen(payment.amount)
            to_refund = captured if full else captured // 2
            refunds = [r for r in split_fen(to_refund, refund_cuts or [1]) if r > 0]
            for amount in refunds:
                refund_of(order, payment, from_fen(amount))

            total = LedgerEntry.objects.filter(order=order).aggregate(s=MoneySum("amount"))["s"]
            assert total == from_fen(captured - sum(refunds)) - payment.fee
            non_fee = LedgerEntry.objects.filter(order=order).exclude(kind="payment_fee")
            assert non_fee.aggregate(s=MoneySum("amount"))["s"] == from_fen(captured - sum(refunds))
            ledger = dict(
                LedgerEntry.objects.values("partner_id")
                .annotate(s=MoneySum("amount"))
                .values_list("partner_id", "s")
            )
            daily = dict(
                daily_rows()
                .values("partner_id")
                .annotate(s=MoneySum("own_share"))
                .values_list("partner_id", "s")
            )
            # A partner concerned by a line may own nothing of it (a zero daily share).
            assert {k: v for k, v in daily.items() if v} == {k: v for k, v in ledger.items() if v}
            raise _Rollback
    except _Rollback:
        pass


def test_the_ledger_is_only_ever_inserted_into(blossoms_agreement, blossoms, media_web, museum):
    from django.test.utils import CaptureQueriesContext

    from partners.settlements.closing import settlements_close_due

    with CaptureQueriesContext(connection) as queries:
        order, payment = paid_order(
            channel=media_web,
            items=[(variant(blossoms), 2)],
            fee=Decimal("0.50"),
            paid_at=dt.datetime(2025, 5, 2, tzinfo=SHANGHAI),
        )
        refund_of(order, payment, Decimal("10.00"))
        shipped(order, factories.WarehouseFactory(partner=museum))
        settlements_close_due(now=dt.datetime(2025, 6, 2, tzinfo=SHANGHAI))

    table = LedgerEntry._meta.db_table
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if table in q["sql"] and not q["sql"].lstrip().upper().startswith(("SELECT", "INSERT"))
    ]
    assert writes == []
    assert LedgerEntry.objects.filter(order=order).count() == 11

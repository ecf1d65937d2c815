"""Agreements and the ledger hooks, on the real database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.agreements import PartyInput, agreement_version_create
from partners.errors import (
    AgreementSharesInvalid,
    AgreementTermsInvalid,
    AgreementVersionDateInvalid,
)
from partners.ledger.hooks import ledger_payment_record
from partners.models import (
    AgreementVersion,
    LedgerEntry,
    Partner,
    Settlement,
    SettlementStatus,
)
from shop.core.money import MoneySum, to_fen
from shop.orders.models import OrderLine
from tests import factories
from tests.connections import separate_connection
from tests.partners.builders import (
    SHANGHAI,
    agreement_with_terms,
    daily_rows,
    paid_order,
    refund_of,
    shipped,
    variant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection():
    return factories.CollectionFactory(slug="blossoms")


@pytest.fixture
def terms(collection, museum, media):
    return agreement_with_terms(
        collection=collection,
        parties=[(museum, "licensor", 6000), (media, "designer", 4000)],
        logistics_fee=Decimal("8.00"),
    )


def _entries(order):
    return [
        (e.partner.code, e.kind, e.role, e.amount)
        for e in LedgerEntry.objects.filter(order=order).select_related("partner").order_by("id")
    ]


def test_payment_writes_commission_shares_shipping_and_fee_exactly(
    terms, collection, media_web, museum, media
):
    item = variant(collection, "100.00")

    order, payment = paid_order(
        channel=media_web,
        items=[(item, 2)],
        discount=Decimal("10.00"),
        shipping=Decimal("12.00"),
        fee=Decimal("2.02"),
    )

    assert _entries(order) == [
        ("media", "channel_commission", "channel_owner", Decimal("19.00")),
        ("museum", "sale_share", "licensor", Decimal("102.60")),
        ("media", "sale_share", "designer", Decimal("68.40")),
        ("media", "shipping_income", "logistics", Decimal("12.00")),
        ("museum", "payment_fee", "licensor", Decimal("-1.21")),
        ("media", "payment_fee", "designer", Decimal("-0.81")),
    ]
    commission = LedgerEntry.objects.get(order=order, kind="channel_commission")
    assert commission.commission_rate == Decimal("0.1000")
    assert OrderLine.objects.get(order=order).agreement_version == terms[1]
    total = LedgerEntry.objects.filter(order=order).aggregate(s=MoneySum("amount"))["s"]
    assert total == payment.amount - payment.fee


def test_payment_recorded_twice_writes_its_entries_once(terms, collection, media_web):
    _, payment = paid_order(channel=media_web, items=[(variant(collection), 1)])
    before = LedgerEntry.objects.count()
    daily_before = list(daily_rows().values_list("units", "gross", "own_share"))

    ledger_payment_record(payment=payment)

    assert LedgerEntry.objects.count() == before
    assert list(daily_rows().values_list("units", "gross", "own_share")) == daily_before


def test_full_refund_brings_every_partner_back_to_zero(terms, collection, media_web):
    order, payment = paid_order(
        channel=media_web, items=[(variant(collection, "99.99"), 3)], shipping=Decimal("12.00")
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


def test_partial_refund_by_line_reverses_that_line_only(terms, collection, media_web):
    first, second = variant(collection, "50.00"), variant(collection, "30.00")
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
    collection, media_web, museum, media
):
    agreement_with_terms(
        collection=collection,
        parties=[(museum, "licensor", 10000)],
        refund_policy="parties",
    )
    order, payment = paid_order(channel=media_web, items=[(variant(collection, "100.00"), 1)])

    refund_of(order, payment, Decimal("100.00"))

    per_partner = dict(
        LedgerEntry.objects.filter(order=order)
        .values("partner__code")
        .annotate(s=MoneySum("amount"))
        .values_list("partner__code", "s")
    )
    assert per_partner == {"media": Decimal("10.00"), "museum": Decimal("-10.00")}


def test_shipment_fee_is_earned_by_the_warehouse_partner_and_paid_by_the_parties(
    terms, collection, media_web, museum, media
):
    order, _ = paid_order(channel=media_web, items=[(variant(collection), 1)])
    warehouse = factories.WarehouseFactory(partner=museum)

    shipped(order, warehouse)
    shipped(order, warehouse)  # the same shipment again: written once

    fees = [
        (code, role, amount)
        for code, kind, role, amount in _entries(order)
        if kind == "logistics_fee"
    ]
    assert fees == [
        ("museum", "logistics", Decimal("8.00")),
        ("museum", "licensor", Decimal("-4.80")),
        ("media", "designer", Decimal("-3.20")),
    ]


def test_product_agreement_wins_over_its_collection(terms, collection, media_web, museum):
    item = variant(collection)
    _, own = agreement_with_terms(product=item.product, parties=[(museum, "producer", 10000)])

    order, _ = paid_order(channel=media_web, items=[(item, 1)])

    assert OrderLine.objects.get(order=order).agreement_version == own


def test_line_keeps_the_version_in_force_when_sold(terms, collection, media_web, museum, media):
    agreement, first = terms
    item = variant(collection)
    before, _ = paid_order(
        channel=media_web, items=[(item, 1)], paid_at=dt.datetime(2025, 3, 1, tzinfo=SHANGHAI)
    )

    second = agreement_version_create(
        agreement=agreement,
        valid_from=dt.date(2025, 4, 1),
        parties=[PartyInput(museum, "licensor", 5000), PartyInput(media, "designer", 5000)],
        today=dt.date(2025, 3, 2),
    )
    after, _ = paid_order(
        channel=media_web, items=[(item, 1)], paid_at=dt.datetime(2025, 4, 2, tzinfo=SHANGHAI)
    )

    assert OrderLine.objects.get(order=before).agreement_version == first
    assert OrderLine.objects.get(order=after).agreement_version == second
    assert second.number == 2


@pytest.mark.parametrize(
    "shares",
    [[6000, 3000], [6000, 5000], [10000, 0]],
)
def test_version_with_shares_not_adding_up_is_refused(terms, museum, media, shares):
    agreement, _ = terms
    with pytest.raises(AgreementSharesInvalid):
        agreement_version_create(
            agreement=agreement,
            valid_from=dt.date(2099, 1, 1),
            parties=[
                PartyInput(museum, "licensor", shares[0]),
                PartyInput(media, "designer", shares[1]),
            ],
        )
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_version_cannot_start_in_the_past_or_before_the_latest(terms, museum):
    agreement, _ = terms
    with pytest.raises(AgreementVersionDateInvalid):
        agreement_version_create(
            agreement=agreement,
            valid_from=dt.date(2021, 1, 1),
            parties=[PartyInput(museum, "licensor", 10000)],
        )
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_second_agreement_for_the_same_collection_is_refused(terms, collection, museum):
    with pytest.raises(AgreementTermsInvalid):
        agreement_with_terms(collection=collection, parties=[(museum, "licensor", 10000)])


def _periods(order) -> set[dt.date]:
    """The settlement months the order's ledger entries landed in."""
    return set(LedgerEntry.objects.filter(order=order).values_list("period", flat=True))


def test_entries_land_in_the_month_of_the_event_in_the_partner_timezone(
    terms, collection, media_web
):
    # 16:30 UTC on 31 May is already 1 June in Shanghai.
    order, _ = paid_order(
        channel=media_web,
        items=[(variant(collection), 1)],
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
    terms, collection, media_web, zone, paid_at, period
):
    partners = Partner.objects.all()
    partners.update(timezone=zone)
    for partner in partners:
        for month in (dt.date(2025, 5, 1), dt.date(2025, 6, 1)):
            Settlement.objects.get_or_create(partner=partner, period=month)

    order, _ = paid_order(channel=media_web, items=[(variant(collection), 1)], paid_at=paid_at)

    entries = LedgerEntry.objects.filter(order=order)
    assert {entry.period for entry in entries} == {period}
    assert {entry.settlement.period for entry in entries} == {period}
    assert set(daily_rows().values_list("day", flat=True)) == {
        paid_at.astimezone(ZoneInfo(zone)).date()
    }


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_at_the_turn_of_a_month_the_settlement_being_closed_is_not_waited_for(
    terms, collection, media_web
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
            items=[(variant(collection), 1)],
            paid_at=dt.datetime(2025, 5, 31, 16, 30, tzinfo=dt.UTC),
        )
    finally:
        closing.rollback()
        closing.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert _periods(order) == {dt.date(2025, 6, 1)}


def test_an_event_in_a_closed_month_lands_in_the_next_open_one(terms, collection, media_web):
    for partner in Partner.objects.all():
        Settlement.objects.get_or_create(partner=partner, period=dt.date(2025, 6, 1))
        Settlement.objects.filter(partner=partner).update(
            status=SettlementStatus.CLOSED, closed_at=dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
        )

    order, _ = paid_order(
        channel=media_web,
        items=[(variant(collection), 1)],
        paid_at=dt.datetime(2025, 6, 10, 8, 0, tzinfo=dt.UTC),
    )

    assert _periods(order) == {dt.date(2025, 7, 1)}


def test_daily_rows_add_up_to_each_partners_ledger(terms, collection, media_web, museum):
    order, payment = paid_order(
        channel=media_web,
        items=[(variant(collection, "88.80"), 2), (variant(collection, "12.34"), 5)],
        discount=Decimal("7.77"),
        shipping=Decimal("10.00"),
        fee=Decimal("1.11"),
    )
    refund_of(order, payment, Decimal("33.33"))
    shipped(order, factories.WarehouseFactory(partner=museum))

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
    assert daily == ledger
    captured_less_refunds_and_fees = payment.amount - Decimal("33.33") - payment.fee
    assert sum(ledger.values()) == captured_less_refunds_and_fees


def test_order_without_agreement_goes_to_the_channel_owner(collection, media_web, media):
    order, _ = paid_order(channel=media_web, items=[(variant(collection, "50.00"), 1)])

    assert _entries(order) == [
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
    terms, collection, media_web, prices, quantity, discount_cut, shipping, fee, refund_cuts, full
):
    from shop.core.money import from_fen, split_fen

    try:
        with transaction.atomic():
            items = [(variant(collection, str(from_fen(p))), quantity) for p in prices]
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


def test_the_ledger_is_only_ever_inserted_into(terms, collection, media_web, museum):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners.settlements.closing import settlements_close_due

    with CaptureQueriesContext(connection) as queries:
        order, payment = paid_order(
            channel=media_web,
            items=[(variant(collection), 2)],
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

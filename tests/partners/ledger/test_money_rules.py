"""The two money rules: a line refund reverses that line's shares only (shipping income
moves only with a shipping refund), and a parcel earns one fee that its agreements share;
neither depends on the order of the cart's lines or of the refunds."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partners.ledger import reversal
from partners.ledger import split as ledger
from partners.models import LedgerEntry
from shop.core.money import MoneySum
from shop.orders.models import OrderLine
from tests import factories
from tests.factories.ledger import agreement_with_terms, paid_order, refund_of, shipped, variant

# --- the rules on the real database ----------------------------------------------------


@pytest.fixture
def collection(blossoms, blossoms_agreement):
    """The blossoms, under their agreement (a logistics fee of 8.00)."""
    return blossoms


def _sums(order, **filters):
    rows = (
        LedgerEntry.objects.filter(order=order, **filters)
        .values_list("order_line_id", "reversed_kind")
        .annotate(s=MoneySum("amount"))
        .order_by()
    )
    return {(line_id, kind): amount for line_id, kind, amount in rows}


def _line_value(order, line):
    return (
        LedgerEntry.objects.filter(order=order, order_line=line)
        .exclude(kind="shipping_income")
        .exclude(reversed_kind="shipping_income")
        .aggregate(s=MoneySum("amount"))["s"]
    )


@pytest.mark.django_db
def test_a_returned_line_gives_back_its_own_shares_only_and_leaves_the_shipping(
    collection, media_web
):
    kept, returned = variant(collection, "50.00"), variant(collection, "30.00")
    order, payment = paid_order(
        channel=media_web, items=[(kept, 1), (returned, 3)], shipping=Decimal("12.00")
    )
    kept_line, back = OrderLine.objects.filter(order=order).order_by("id")
    shipping_before = _sums(order, kind="shipping_income")
    kept_before = _line_value(order, kept_line)

    refund_of(order, payment, Decimal("30.00"), lines=[{"line_id": back.pk, "quantity": 1}])
    refund_of(order, payment, Decimal("60.00"), lines=[{"line_id": back.pk, "quantity": 2}])

    assert _line_value(order, back) == Decimal("0.00")
    assert _line_value(order, kept_line) == kept_before == Decimal("50.00")
    assert not LedgerEntry.objects.filter(order=order, reversed_kind="shipping_income").exists()
    assert _sums(order, kind="shipping_income") == shipping_before


@pytest.mark.django_db
def test_a_line_refund_above_the_units_worth_refunds_shipping_with_the_rest(
    collection, media_web, media
):
    first, second = variant(collection, "50.00"), variant(collection, "30.00")
    order, payment = paid_order(
        channel=media_web, items=[(first, 1), (second, 1)], shipping=Decimal("12.00")
    )
    first_line, second_line = OrderLine.objects.filter(order=order).order_by("id")

    refund_of(order, payment, Decimal("35.00"), lines=[{"line_id": second_line.pk, "quantity": 1}])

    assert _line_value(order, second_line) == Decimal("0.00")
    assert _line_value(order, first_line) == Decimal("50.00")
    shipping = LedgerEntry.objects.filter(order=order, partner=media).filter(
        reversed_kind="shipping_income"
    )
    assert shipping.aggregate(s=MoneySum("amount"))["s"] == Decimal("-5.00")

    refund_of(order, payment, Decimal("57.00"))  # the rest: everything back to zero

    per_partner = (
        LedgerEntry.objects.filter(order=order).values("partner_id").annotate(s=MoneySum("amount"))
    )
    assert {row["s"] for row in per_partner} == {Decimal("0.00")}


@pytest.mark.django_db
def test_a_shipping_refund_moves_the_shipping_income_alone(collection, media_web, media):
    first, second = variant(collection, "50.00"), variant(collection, "30.00")
    order, payment = paid_order(
        channel=media_web, items=[(first, 1), (second, 2)], shipping=Decimal("12.00")
    )
    first_line, second_line = OrderLine.objects.filter(order=order).order_by("id")

    refund_of(order, payment, Decimal("5.00"), shipping=True)
    refund_of(order, payment, Decimal("7.00"), shipping=True)

    assert _line_value(order, first_line) == Decimal("50.00")
    assert _line_value(order, second_line) == Decimal("60.00")
    reversed_shipping = LedgerEntry.objects.filter(
        order=order, partner=media, reversed_kind="shipping_income"
    )
    assert reversed_shipping.aggregate(s=MoneySum("amount"))["s"] == Decimal("-12.00")
    assert (
        not LedgerEntry.objects.filter(order=order, kind="refund_reversal")
        .exclude(reversed_kind="shipping_income")
        .exists()
    )


def test_a_shipping_refund_and_a_line_refund_reverse_the_same_in_either_order():
    sale = reversal.Sale(
        buckets=(
            reversal.Bucket(1, ledger.SALE_SHARE, "licensor", 10, 6000, 6000),
            reversal.Bucket(2, ledger.SALE_SHARE, "designer", 10, 4000, 4000),
            reversal.Bucket(2, ledger.SHIPPING_INCOME, "logistics", 10, 1200),
        ),
        quantities={10: 2},
    )
    line = reversal.RefundClaim(5000, ((10, 1),))
    shipping = reversal.RefundClaim(1200, shipping=True)

    one_way = reversal.reversal_targets(sale, [line, shipping])
    other_way = reversal.reversal_targets(sale, [shipping, line])

    assert one_way == other_way
    assert sum(fen for key, fen in one_way.items() if key[2] == ledger.SHIPPING_INCOME) == 1200
    assert sum(one_way.values()) == 6200


@pytest.mark.django_db
def test_a_parcel_of_two_agreements_earns_the_higher_fee_once_shared_by_line_value(
    collection, media_web, museum, media
):
    other = factories.CollectionFactory(slug="lanterns")
    agreement_with_terms(
        collection=other, parties=[(media, "producer", 10000)], logistics_fee=Decimal("5.00")
    )
    cheap, dear = variant(other, "100.00"), variant(collection, "300.00")
    order, _ = paid_order(channel=media_web, items=[(cheap, 1), (dear, 1)])

    shipped(order, factories.WarehouseFactory(partner=museum))

    fees = (
        LedgerEntry.objects.filter(order=order, kind="logistics_fee")
        .values_list("partner__code", "role")
        .annotate(s=MoneySum("amount"))
        .order_by("partner__code", "role")
    )
    # 8.00 to the museum's warehouse; 2.00 borne by the lanterns' producer, 6.00 by the
    # blossoms' parties (60 % licensor, 40 % designer).
    assert list(fees) == [
        ("media", "designer", Decimal("-2.40")),
        ("media", "producer", Decimal("-2.00")),
        ("museum", "licensor", Decimal("-3.60")),
        ("museum", "logistics", Decimal("8.00")),
    ]


def _ledger_by_party_and_kind(order):
    rows = (
        LedgerEntry.objects.filter(order=order)
        .values_list("partner__code", "kind", "reversed_kind")
        .annotate(s=MoneySum("amount"))
        .order_by("partner__code", "kind", "reversed_kind")
    )
    return list(rows)


@pytest.mark.django_db
def test_the_hooks_write_the_same_ledger_whatever_the_cart_and_refund_order(
    collection, media_web, museum
):
    other = factories.CollectionFactory(slug="lanterns")
    agreement_with_terms(
        collection=other, parties=[(museum, "producer", 10000)], logistics_fee=Decimal("5.00")
    )
    mug, lamp = variant(collection, "33.33"), variant(other, "66.67")
    warehouse = factories.WarehouseFactory(partner=museum)
    orders = []
    for items, refund_order in (
        ([(mug, 3), (lamp, 1)], (0, 1, 2)),
        ([(lamp, 1), (mug, 3)], (2, 0, 1)),
    ):
        order, payment = paid_order(
            channel=media_web, items=items, discount=Decimal("3.33"), shipping=Decimal("12.00")
        )
        shipped(order, warehouse)
        lines = {line.variant_id: line.pk for line in OrderLine.objects.filter(order=order)}
        refunds = [
            (Decimal("20.00"), [{"line_id": lines[mug.pk], "quantity": 1}]),
            (Decimal("10.01"), []),
            (Decimal("70.00"), [{"line_id": lines[lamp.pk], "quantity": 1}]),
        ]
        for index in refund_order:
            amount, refund_lines = refunds[index]
            refund_of(order, payment, amount, lines=refund_lines)
        orders.append(order)

    assert _ledger_by_party_and_kind(orders[0]) == _ledger_by_party_and_kind(orders[1])


# --- the same ledger whatever the order of lines and refunds (no database) -------------

CHANNEL_OWNER = 1
AGREEMENTS = {
    # version id: (parties [(partner, role, basis points)], refund policy, logistics fee)
    11: (((21, "licensor", 6000), (22, "designer", 4000)), "mirror", 800),
    12: (((22, "producer", 10000),), "parties", 500),
    13: (((23, "licensor", 3333), (21, "designer", 3333), (22, "producer", 3334)), "mirror", 0),
}


@st.composite
def orders(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    lines = [
        {
            "product": 100 + index,
            "version": draw(st.sampled_from(sorted(AGREEMENTS))),
            "total": draw(st.integers(min_value=0, max_value=10**6)),
            "quantity": draw(st.integers(min_value=1, max_value=5)),
            "logistics": draw(st.sampled_from([1, 2, 21])),
        }
        for index in range(count)
    ]
    subtotal = sum(line["total"] for line in lines)
    discount = draw(st.integers(min_value=0, max_value=subtotal + 500))
    shipping = draw(st.integers(min_value=0, max_value=3000))
    captured = max(subtotal + shipping - discount, 0)
    refunds = []
    left, units_left = captured, {line["product"]: line["quantity"] for line in lines}
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        if left == 0:
            break
        named = draw(st.lists(st.sampled_from(sorted(units_left)), max_size=2, unique=True))
        units = {p: draw(st.integers(0, units_left[p])) for p in named}
        units = {p: n for p, n in units.items() if n}
        for product, n in units.items():
            units_left[product] -= n
        amount = draw(st.integers(min_value=1, max_value=left))
        left -= amount
        refunds.append((amount, tuple(sorted(units.items()))))
    commission = draw(st.decimals(min_value=0, max_value=1, places=4, allow_nan=False))
    return lines, discount, captured, commission, refunds


def _ledger(lines, discount, captured, commission, refunds, fee):
    """Every entry of the order with its lines in this cart order (line ids by position)
    and its refunds in this order; checks the sum after each refund."""
    ids = {line["product"]: position + 1 for position, line in enumerate(lines)}
    terms = [
        ledger.LineTerms(
            line_id=ids[line["product"]],
            line_total_fen=line["total"],
            channel_owner_id=CHANNEL_OWNER,
            commission_rate=commission,
            logistics_partner_id=line["logistics"],
            parties=tuple(ledger.PartyShare(*p) for p in AGREEMENTS[line["version"]][0]),
            refund_policy=AGREEMENTS[line["version"]][1],
            product_id=line["product"],
            agreement_version_id=line["version"],
        )
        for line in lines
    ]
    sale = ledger.sale_plan(terms, discount, captured)
    parcel_fee = max(AGREEMENTS[line["version"]][2] for line in lines)
    entries = [
        *sale,
        *ledger.payment_fee_plan(terms, discount, fee),
        *ledger.parcel_fee_plan(terms, parcel_fee, operator_id=2),
    ]
    shape = reversal.Sale(
        buckets=tuple(
            reversal.Bucket(p.partner_id, p.kind, p.role, p.line_id, fen, p.share_bp)
            for p, fen in _summed(sale).items()
        ),
        quantities={ids[line["product"]]: line["quantity"] for line in lines},
        products={ids[line["product"]]: line["product"] for line in lines},
        keep_commission_line_ids=frozenset(
            t.line_id for t in terms if t.refund_policy == "parties"
        ),
    )
    claims, refunded = [], 0
    for amount, units in refunds:
        reversed_before = Counter()
        for part in entries:
            if part.kind == ledger.REFUND_REVERSAL:
                key = (part.line_id, part.partner_id, part.reversed_kind, part.role, part.share_bp)
                reversed_before[key] -= part.fen
        claims.append(reversal.RefundClaim(amount, tuple((ids[p], n) for p, n in units)))
        entries += reversal.reversal_parts(shape, reversed_before, claims)
        refunded += amount
        assert sum(p.fen for p in entries) == captured - refunded - fee
    return entries


def _summed(parts):
    sums: Counter = Counter()
    for p in parts:
        sums[ledger.Part(p.partner_id, p.kind, p.role, p.line_id, 0, p.share_bp)] += p.fen
    return sums


def _by_party_and_kind(entries):
    sums: Counter = Counter()
    for p in entries:
        sums[(p.partner_id, p.kind, p.reversed_kind)] += p.fen
    return {key: fen for key, fen in sums.items() if fen}


@settings(max_examples=400, deadline=None)
@given(
    order=orders(),
    fee=st.integers(min_value=0, max_value=2000),
    data=st.data(),
)
def test_the_ledger_is_the_same_whatever_the_order_of_lines_and_refunds(order, fee, data):
    lines, discount, captured, commission, refunds = order
    fee = min(fee, captured)
    lines_shuffled = data.draw(st.permutations(lines))
    refunds_shuffled = data.draw(st.permutations(refunds))

    first = _ledger(lines, discount, captured, commission, refunds, fee)
    again = _ledger(lines_shuffled, discount, captured, commission, refunds_shuffled, fee)

    assert _by_party_and_kind(again) == _by_party_and_kind(first)
    if sum(amount for amount, _ in refunds) == captured:
        assert sum(p.fen for p in first if p.kind != ledger.PAYMENT_FEE) == 0


@settings(max_examples=200, deadline=None)
@given(order=orders())
def test_a_line_refund_within_its_units_worth_moves_nothing_of_other_lines_or_shipping(order):
    lines, discount, captured, commission, _ = order
    target = lines[0]
    sale = _ledger(lines, discount, captured, commission, [], 0)
    line_value = sum(
        p.fen
        for p in sale
        if p.line_id == 1 and p.kind in (ledger.SALE_SHARE, ledger.CHANNEL_COMMISSION)
    )
    amount = line_value * 1 // target["quantity"]
    if amount == 0:
        return

    entries = _ledger(
        lines, discount, captured, commission, [(amount, ((target["product"], 1),))], 0
    )

    moved = {p.line_id for p in entries[len(sale) :]}
    assert moved == {1}
    assert all(p.reversed_kind != ledger.SHIPPING_INCOME for p in entries[len(sale) :])

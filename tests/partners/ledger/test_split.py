"""The split rules, proven for any amounts and shares (no database)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partners.ledger import split as ledger
from shop.core.money import split_fen

fen = st.integers(min_value=0, max_value=10**9)
weights = st.lists(st.integers(min_value=0, max_value=10000), min_size=1, max_size=8).filter(
    lambda ws: sum(ws) > 0
)


@given(total=st.integers(min_value=-(10**9), max_value=10**9), weights=weights)
def test_split_fen_parts_add_up_and_stay_within_one_fen_of_exact(total, weights):
    parts = split_fen(total, weights)

    assert sum(parts) == total
    assert len(parts) == len(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(total) * weight / sum(weights)
        assert abs(part - exact) < 1


def test_split_fen_gives_leftover_fen_to_largest_remainders_then_earlier_parts():
    assert split_fen(100, [1, 1, 1]) == [34, 33, 33]
    assert split_fen(202, [6000, 4000]) == [121, 81]
    assert split_fen(-100, [1, 1, 1]) == [-34, -33, -33]


@pytest.mark.parametrize("bad", [[], [-1, 2], [0, 0]])
def test_split_fen_refuses_weights_that_cannot_split(bad):
    with pytest.raises(ValueError):
        split_fen(100, bad)


shares = st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=4).map(
    lambda raw: _to_basis_points(raw)
)


def _to_basis_points(raw: list[int]) -> list[int]:
    parts = split_fen(10000, raw)
    return [p for p in parts if p > 0] or [10000]


@st.composite
def orders(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    lines = []
    for index in range(count):
        bp = draw(shares)
        lines.append(
            ledger.LineTerms(
                line_id=index + 1,
                line_total_fen=draw(st.integers(min_value=0, max_value=10**7)),
                channel_owner_id=1,
                commission_rate=draw(
                    st.decimals(min_value=0, max_value=1, places=4, allow_nan=False)
                ),
                logistics_partner_id=draw(st.sampled_from([1, 2, 3])),
                parties=tuple(
                    ledger.PartyShare(partner_id=10 + i, role="licensor", share_bp=b)
                    for i, b in enumerate(bp)
                ),
                payment_fee_bearer=draw(st.sampled_from(["parties", "channel_owner"])),
                refund_policy=draw(st.sampled_from(["mirror", "parties"])),
            )
        )
    subtotal = sum(line.line_total_fen for line in lines)
    discount = draw(st.integers(min_value=0, max_value=subtotal + 2000))
    shipping = draw(st.integers(min_value=0, max_value=5000))
    captured = max(subtotal + shipping - discount, 0)
    return lines, discount, captured


@settings(max_examples=300)
@given(order=orders(), fee=st.integers(min_value=0, max_value=100000))
def test_sale_and_fee_parts_add_up_to_what_was_captured_and_the_fee(order, fee):
    lines, discount, captured = order

    sale = ledger.sale_plan(lines, discount, captured)
    fees = ledger.payment_fee_plan(lines, discount, fee)
    logistics = ledger.logistics_fee_plan(lines, discount, 800, operator_id=3)

    assert sum(p.fen for p in sale) == captured
    assert all(p.fen > 0 for p in sale)
    assert sum(p.fen for p in fees) == -fee
    assert sum(p.fen for p in logistics) == 0


@settings(max_examples=300)
@given(
    order=orders(),
    refund_cuts=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=4),
)
def test_refunds_reverse_exactly_and_a_full_refund_leaves_every_partner_at_zero(order, refund_cuts):
    lines, discount, captured = order
    sale = ledger.sale_plan(lines, discount, captured)
    refund_amounts = [a for a in split_fen(captured, refund_cuts) if a > 0]
    keep = [t.line_id for t in lines if t.refund_policy == "parties"]

    entries = list(sale)
    refunded = 0
    for amount in refund_amounts:
        buckets = _buckets(entries)
        entries += ledger.reversal_plan(buckets, amount, keep_commission_line_ids=keep)
        refunded += amount
        assert sum(p.fen for p in entries) == captured - refunded

    assert sum(p.fen for p in entries) == 0
    if not keep:
        per_partner: dict[int, int] = defaultdict(int)
        for p in entries:
            per_partner[p.partner_id] += p.fen
        assert set(per_partner.values()) <= {0}


def _buckets(entries):
    remaining: dict[tuple, int] = defaultdict(int)
    for p in entries:
        remaining[(p.line_id, p.partner_id, p.reversed_kind or p.kind, p.role, p.share_bp)] += p.fen
    return [
        ledger.Bucket(partner, kind, role, line, amount, bp)
        for (line, partner, kind, role, bp), amount in sorted(remaining.items())
        if kind in ledger.REVERSIBLE_KINDS
    ]


def test_sale_plan_of_one_line_gives_commission_shares_and_shipping():
    line = ledger.LineTerms(
        line_id=7,
        line_total_fen=20000,
        channel_owner_id=2,
        commission_rate=Decimal("0.1000"),
        logistics_partner_id=1,
        parties=(ledger.PartyShare(1, "licensor", 6000), ledger.PartyShare(2, "designer", 4000)),
    )

    parts = ledger.sale_plan([line], discount_fen=1000, captured_fen=20200)

    assert [(p.partner_id, p.kind, p.role, p.fen) for p in parts] == [
        (2, "channel_commission", "channel_owner", 1900),
        (1, "sale_share", "licensor", 10260),
        (2, "sale_share", "designer", 6840),
        (1, "shipping_income", "logistics", 1200),
    ]


def test_commission_rounds_half_up_to_the_fen():
    assert ledger.commission_fen(5, Decimal("0.1000")) == 1
    assert ledger.commission_fen(4, Decimal("0.1000")) == 0
    assert ledger.commission_fen(-5, Decimal("0.1000")) == -1

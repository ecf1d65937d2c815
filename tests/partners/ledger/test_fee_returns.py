"""The payment fee refunds give back: spread over who bore it, exact in fen, the same
whatever order the refunds come in, and all of it back after a full refund."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partners.ledger.fee_returns import fee_return_parts, fee_return_targets
from partners.ledger.reversal import Bucket
from partners.models import LedgerEntry
from shop.core.money import MoneySum
from tests.factories.ledger import paid_order, refund_of, variant


def _buckets(fens: list[int]) -> list[Bucket]:
    """Fee parts as the payment's fee entries hold them: negative, one per partner."""
    return [
        Bucket(partner_id=10 + i, kind="payment_fee", role="licensor", line_id=1, fen=-fen)
        for i, fen in enumerate(fens)
    ]


def _apply(buckets: list[Bucket], returns: list[int]) -> tuple[dict, list[int]]:
    """The fee returns written one refund after another: what each bucket got back, and
    what each refund's entries add up to."""
    held: dict = {}
    steps = []
    total = 0
    for fen in returns:
        total += fen
        parts = fee_return_parts(buckets, held, total)
        steps.append(sum(p.fen for p in parts))
        for part in parts:
            key = (part.line_id, part.partner_id, "payment_fee", part.role, part.share_bp)
            held[key] = held.get(key, 0) + part.fen
    return held, steps


def test_a_full_return_gives_every_bearer_exactly_its_fee():
    buckets = _buckets([121, 81])

    targets = fee_return_targets(buckets, 202)

    assert sorted(targets.values()) == [81, 121]


def test_a_return_larger_than_the_fee_is_refused():
    with pytest.raises(ValueError):
        fee_return_targets(_buckets([5]), 6)


@given(
    fees=st.lists(st.integers(min_value=1, max_value=5_000), min_size=1, max_size=4),
    cuts=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=5),
    full=st.booleans(),
)
def test_returns_add_up_exactly_and_do_not_depend_on_their_order(fees, cuts, full):
    buckets = _buckets(fees)
    whole = sum(fees)
    # Refunds' returned fees within the whole fee; ``full``: the last gives back the rest.
    returns = [whole * cut // (100 * len(cuts)) for cut in cuts]
    if full:
        returns.append(whole - sum(returns))

    finals = set()
    for order in itertools.islice(itertools.permutations(returns), 6):
        held, steps = _apply(buckets, list(order))
        assert steps == list(order)  # each refund's entries add up to its fee returned
        for bucket in buckets:
            assert 0 <= held.get(bucket.key, 0) <= -bucket.fen
        # A later refund may move a fen back from one bearer to another (each total is
        # shared anew): a bearer then holds 0, the same as one never written to.
        finals.add(tuple(sorted((key, fen) for key, fen in held.items() if fen)))
    assert len(finals) == 1
    if full:
        assert dict(next(iter(finals))) == {b.key: -b.fen for b in buckets}


@pytest.mark.django_db
def test_refunds_give_each_partner_its_fee_share_back_exactly(
    blossoms_agreement, blossoms, media_web
):
    order, payment = paid_order(
        channel=media_web, items=[(variant(blossoms, "100.00"), 2)], fee=Decimal("2.02")
    )

    first = refund_of(order, payment, Decimal("50.00"), fee_returned=Decimal("0.51"))

    def fees() -> dict[str, Decimal]:
        rows = (
            LedgerEntry.objects.filter(order=order, kind="payment_fee")
            .values("partner__code")
            .annotate(s=MoneySum("amount"))
        )
        return {row["partner__code"]: row["s"] for row in rows}

    returned = LedgerEntry.objects.filter(source=f"refund-fee:{first.pk}")
    assert returned.aggregate(s=MoneySum("amount"))["s"] == Decimal("0.51")
    assert fees() == {"museum": Decimal("-0.90"), "media": Decimal("-0.61")}

    refund_of(order, payment, Decimal("150.00"), fee_returned=Decimal("1.51"))

    assert fees() == {"museum": Decimal("0.00"), "media": Decimal("0.00")}
    per_partner = (
        LedgerEntry.objects.filter(order=order)
        .values("partner__code")
        .annotate(s=MoneySum("amount"))
    )
    assert {row["partner__code"]: row["s"] for row in per_partner} == {
        "media": Decimal("0.00"),
        "museum": Decimal("0.00"),
    }


@pytest.mark.django_db
def test_a_refund_recorded_twice_returns_its_fee_once(blossoms_agreement, blossoms, media_web):
    from partners.ledger.hooks import ledger_refund_record

    order, payment = paid_order(
        channel=media_web, items=[(variant(blossoms, "100.00"), 1)], fee=Decimal("0.60")
    )
    refund = refund_of(order, payment, Decimal("100.00"), fee_returned=Decimal("0.60"))

    ledger_refund_record(refund=refund)

    assert LedgerEntry.objects.filter(source=f"refund-fee:{refund.pk}").count() == 2
    total = LedgerEntry.objects.filter(order=order).aggregate(s=MoneySum("amount"))["s"]
    assert total == Decimal("0.00")

"""How refunds reverse a sale, in integer fen, with no database.

What the ledger holds reversed after some refunds is one pure function of the sale's
parts and the *set* of those refunds, so the order the refunds came in changes
nothing; each refund writes the difference between that function before and after it.

The rules:

- A refund naming lines (``[(line id, units)]``) reverses those lines' own parts
  (channel commission and sale shares), up to what the units are worth (the line's
  sale value x units / line quantity, a fen up per line). Several named lines share
  the amount by the units' worth, largest remainder in fen. Shipping income moves not.
- Whatever such a refund pays above its units' worth is a shipping refund: it reverses
  the logistics operators' shipping income, by their shipping income.
- A shipping refund (staff refunding the shipping charge alone) reverses the logistics
  operators' shipping income only, by their shipping income; what it cannot take is
  treated as a refund naming no lines.
- A refund naming no lines, and anything a line or the shipping cannot take, comes
  off what is left of the lines' parts in proportion to it, and only once the lines are
  all reversed, off the shipping income.
- Within a line, the refund is split over its parts by what the sale gave them, largest
  remainder in fen; a line whose agreement keeps the commission for the channel owner
  on refunds (``refund_policy = parties``) has it reversed from the parties' shares.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from partners.ledger.split import (
    REFUND_REVERSAL,
    SALE_SHARE,
    SHIPPING_INCOME,
    Part,
    split_by_weights,
)

BucketKey = tuple[int, int, str, str, int | None]


@dataclass(frozen=True)
class Bucket:
    """What a sale gave one partner, of one kind and role, on one line."""

    partner_id: int
    kind: str
    role: str
    line_id: int
    fen: int
    share_bp: int | None = None

    @property
    def key(self) -> BucketKey:
        return (self.line_id, self.partner_id, self.kind, self.role, self.share_bp)


@dataclass(frozen=True)
class RefundClaim:
    """A succeeded refund as the reversal needs it: its amount and the units it names."""

    fen: int
    lines: tuple[tuple[int, int], ...] = ()
    shipping: bool = False


@dataclass(frozen=True)
class Sale:
    """An order's sale parts, with each line's quantity and place in the stable order."""

    buckets: tuple[Bucket, ...]
    quantities: dict[int, int]
    products: dict[int, int] = field(default_factory=dict)
    keep_commission_line_ids: frozenset[int] = frozenset()

    def rank(self, line_id: int) -> tuple[int, int]:
        return (self.products.get(line_id, 0), line_id)

    def ordered(self, buckets: Sequence[Bucket]) -> list[Bucket]:
        return sorted(
            buckets,
            key=lambda b: (self.rank(b.line_id), b.kind, b.partner_id, b.role, b.share_bp or 0),
        )

    def line_ids(self) -> list[int]:
        return sorted(self.line_values(), key=self.rank)

    def line_values(self) -> dict[int, int]:
        values: dict[int, int] = defaultdict(int)
        for bucket in self.buckets:
            if bucket.kind != SHIPPING_INCOME:
                values[bucket.line_id] += bucket.fen
        return values


def _named_claims(sale: Sale, refund: RefundClaim, values: dict[int, int]) -> dict[int, int]:
    """What ``refund`` takes from each line it names: the units' worth at most."""
    named = sorted(
        (
            (line_id, min(units, sale.quantities.get(line_id, units)))
            for line_id, units in refund.lines
            if line_id in values and units > 0
        ),
        key=lambda item: sale.rank(item[0]),
    )
    if not named:
        return {}
    common = math.lcm(*(sale.quantities.get(line_id, 1) or 1 for line_id, _ in named))
    weights = [
        values[line_id] * units * (common // (sale.quantities.get(line_id, 1) or 1))
        for line_id, units in named
    ]
    worth = sum(-(-weight // common) for weight in weights)  # each line a fen up
    taken = min(refund.fen, worth)
    if taken == 0:
        return {}
    line_ids = [line_id for line_id, _ in named]
    return dict(zip(line_ids, split_by_weights(taken, weights), strict=True))


def _line_targets(sale: Sale, line_id: int, fen: int) -> dict[BucketKey, int]:
    """``fen`` of one line reversed over its parts."""
    parts = sale.ordered(
        [b for b in sale.buckets if b.line_id == line_id and b.kind != SHIPPING_INCOME]
    )
    if line_id in sale.keep_commission_line_ids:
        shares = [b for b in parts if b.kind == SALE_SHARE and b.fen > 0]
        parts = shares or parts
    if fen == 0 or not parts:
        return {}
    split = split_by_weights(fen, [b.fen for b in parts])
    return {b.key: f for b, f in zip(parts, split, strict=True)}


def reversal_targets(sale: Sale, refunds: Sequence[RefundClaim]) -> dict[BucketKey, int]:
    """How many fen of each sale part ``refunds`` reverse together (positive)."""
    values = sale.line_values()
    lines = sale.line_ids()
    claimed: dict[int, int] = defaultdict(int)
    shipping_claim = 0
    left_over = 0
    for refund in refunds:
        if refund.shipping:
            shipping_claim += refund.fen
            continue
        if not any(line_id in values and units > 0 for line_id, units in refund.lines):
            left_over += refund.fen
            continue
        claims = _named_claims(sale, refund, values)
        for line_id, fen in claims.items():
            claimed[line_id] += fen
        shipping_claim += refund.fen - sum(claims.values())
    taken = {line_id: min(claimed[line_id], values[line_id]) for line_id in lines}
    left_over += sum(claimed.values()) - sum(taken.values())
    shipping = [b for b in sale.ordered(sale.buckets) if b.kind == SHIPPING_INCOME]
    shipping_value = sum(b.fen for b in shipping)
    shipping_taken = min(shipping_claim, shipping_value)
    left_over += shipping_claim - shipping_taken
    room = [values[line_id] - taken[line_id] for line_id in lines]
    spread = min(left_over, sum(room))
    if spread:
        for line_id, fen in zip(lines, split_by_weights(spread, room), strict=True):
            taken[line_id] += fen
    shipping_taken += left_over - spread
    if shipping_taken > shipping_value:
        raise ValueError("the refunds exceed what the sale left")
    targets: dict[BucketKey, int] = {}
    for line_id in lines:
        targets.update(_line_targets(sale, line_id, taken[line_id]))
    if shipping_taken:
        split = split_by_weights(shipping_taken, [b.fen for b in shipping])
        targets.update({b.key: fen for b, fen in zip(shipping, split, strict=True)})
    return targets


def reversal_parts(
    sale: Sale, reversed_before: dict[BucketKey, int], refunds: Sequence[RefundClaim]
) -> list[Part]:
    """The entries that take the ledger from ``reversed_before`` (what earlier refunds
    reversed, positive) to what ``refunds`` (those and the new one) reverse together.
    They add up to minus the new refund when ``reversed_before`` adds up to the others."""
    targets = reversal_targets(sale, refunds)
    parts = []
    for bucket in sale.ordered(sale.buckets):
        fen = targets.get(bucket.key, 0) - reversed_before.get(bucket.key, 0)
        if fen:
            parts.append(
                Part(
                    bucket.partner_id,
                    REFUND_REVERSAL,
                    bucket.role,
                    bucket.line_id,
                    -fen,
                    share_bp=bucket.share_bp,
                    reversed_kind=bucket.kind,
                )
            )
    return parts

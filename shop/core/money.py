"""Money is exact: ``Decimal`` yuan with two places, or integer fen.

Rounding happens at the boundary with an explicit mode, and a split of money is
one pure function whose parts always add up to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

CURRENCY = "CNY"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def quantize(amount: Decimal | int | str) -> Decimal:
    """Round yuan to the fen, half up (the rule Chinese invoices use)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Yuan to integer fen; refuses amounts that are not whole fen."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of fen")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def split_fen(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` fen in proportion to ``weights`` by the largest remainder rule.

    Each part first gets the floor of its exact share; the fen left over go one
    each to the parts with the largest remainders, ties broken by position, so the
    result is deterministic. Negative totals (refunds) split as the mirror image of
    the positive total. The parts always add up exactly to ``total``.
    """
    if not weights:
        raise ValueError("at least one weight is needed")
    if any(w < 0 for w in weights):
        raise ValueError("weights cannot be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights cannot all be zero")
    if total < 0:
        return [-part for part in split_fen(-total, weights)]
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return floors


def split_amount(total: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """Split a yuan amount exactly; see :func:`split_fen`."""
    return [from_fen(part) for part in split_fen(to_fen(total), weights)]


def percent_of(amount: Decimal, basis_points: int) -> Decimal:
    """``amount`` times ``basis_points`` / 10000, rounded half up to the fen."""
    return quantize(amount * basis_points / Decimal(10000))

"""Money is exact: ``Decimal`` yuan with two places, or integer fen.

Rounding happens at the boundary with an explicit mode, and a split of money is
one pure function whose parts always add up to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import DecimalField, Sum

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


def lines_net_fen(totals: Sequence[int], discount_fen: int) -> list[int]:
    """Each line's total less its part of an order discount, split by the line totals.

    A discount larger than the lines (a voucher that also covers shipping) takes the
    lines to zero; the excess comes off the shipping. Leftover fen go by position, so
    callers pass the lines in the order's stable line order (product, then line id)
    for every reader to agree on each line's value.
    """
    applied = min(discount_fen, sum(totals))
    if not totals or applied <= 0:
        return list(totals)
    parts = split_fen(applied, totals)
    return [total - part for total, part in zip(totals, parts, strict=True)]


def split_amount(total: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """Split a yuan amount exactly; see :func:`split_fen`."""
    return [from_fen(part) for part in split_fen(to_fen(total), weights)]


def percent_of(amount: Decimal, basis_points: int) -> Decimal:
    """``amount`` times ``basis_points`` / 10000, rounded half up to the fen."""
    return quantize(amount * basis_points / Decimal(10000))


def _fen_exact(value: Any, expression: Any, connection: Any) -> Decimal | None:
    return None if value is None else quantize(value)


class MoneySum(Sum):
    """The sum of an amount column, exact to the fen on every engine: SQLite (the
    embedded default) adds decimals as floating point and hands back digits such as
    1.95E-14 where the sum is 0.00; rounded to the fen they are exact again (sums of
    whole fen stay far inside the 15 digits a float holds)."""

    def __init__(self, *expressions: Any, **extra: Any) -> None:
        extra.setdefault("output_field", DecimalField(max_digits=14, decimal_places=2))
        super().__init__(*expressions, **extra)

    def get_db_converters(self, connection: Any) -> list[Any]:
        return [*super().get_db_converters(connection), _fen_exact]

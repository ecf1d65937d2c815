"""How one money event is split between the partners, in integer fen, with no database.

Every function here is pure: the parts it returns add up exactly to the amount it
was given, because every division goes through :func:`shop.core.money.split_fen`
(largest remainder, ties to the earlier part). The services turn the parts into
ledger entries.

The rules, per order:

- A line's net revenue is its total less its share of the order discount (the
  discount split over the lines by their totals).
- The selling channel's owner earns ``commission_rate`` x net revenue, rounded half
  up to the fen; the rest goes to the agreement's parties by their basis points.
  A line sold with no agreement goes wholly to the channel owner as the seller.
- Whatever the shopper paid above the lines' net revenue (shipping) is shipping
  income of each line's logistics operator, split over the lines by net revenue.
- A payment fee is split over the lines by net revenue and borne by each line's
  channel owner or parties, as its agreement says.
- A parcel earns its operator one logistics fee, the highest of its lines' agreement
  fees; the agreements of its lines share that cost by line value.
- Refunds are reversed by :mod:`partners.ledger.reversal`.

Lines are always taken in their stable order (product, then line id), so the fen a
largest-remainder split leaves over go to the same party whatever order the shopper
put the lines in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shop.core.money import lines_net_fen, split_fen

CHANNEL_OWNER = "channel_owner"
SELLER = "seller"
LOGISTICS = "logistics"

SALE_SHARE = "sale_share"
CHANNEL_COMMISSION = "channel_commission"
SHIPPING_INCOME = "shipping_income"
LOGISTICS_FEE = "logistics_fee"
PAYMENT_FEE = "payment_fee"
REFUND_REVERSAL = "refund_reversal"

REVERSIBLE_KINDS = (SALE_SHARE, CHANNEL_COMMISSION, SHIPPING_INCOME)


@dataclass(frozen=True)
class PartyShare:
    partner_id: int
    role: str
    share_bp: int


@dataclass(frozen=True)
class LineTerms:
    """What the split of one order line needs to know, as it was at the sale."""

    line_id: int
    line_total_fen: int
    channel_owner_id: int
    commission_rate: Decimal
    logistics_partner_id: int
    parties: tuple[PartyShare, ...] = ()
    payment_fee_bearer: str = "parties"
    refund_policy: str = "mirror"
    product_id: int = 0
    agreement_version_id: int | None = None

    def sharers(self) -> tuple[PartyShare, ...]:
        """Who shares the net revenue after commission: the parties, else the seller."""
        return self.parties or (PartyShare(self.channel_owner_id, SELLER, 10000),)


@dataclass(frozen=True)
class Part:
    """One partner's signed amount in fen of one money event, tied to one line."""

    partner_id: int
    kind: str
    role: str
    line_id: int
    fen: int
    share_bp: int | None = None
    commission_rate: Decimal | None = None
    reversed_kind: str = ""


def split_by_weights(total: int, weights: Sequence[int]) -> list[int]:
    """:func:`split_fen`, but equal weights when they are all zero (free lines)."""
    if weights and sum(weights) == 0:
        return split_fen(total, [1] * len(weights))
    return split_fen(total, weights)


def commission_fen(net_fen: int, rate: Decimal) -> int:
    """``rate`` x ``net_fen``, rounded half up to the fen (mirrored for negatives)."""
    value = (abs(Decimal(net_fen)) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(value) if net_fen >= 0 else -int(value)


def stable_order(lines: Sequence[LineTerms]) -> list[LineTerms]:
    """The lines by product, then line id: the order every split of an order uses."""
    return sorted(lines, key=lambda line: (line.product_id, line.line_id))


def _revenue_parts(terms: LineTerms, net: int) -> list[Part]:
    parts: list[Part] = []
    commission = commission_fen(net, terms.commission_rate)
    if commission:
        parts.append(
            Part(
                terms.channel_owner_id,
                CHANNEL_COMMISSION,
                CHANNEL_OWNER,
                terms.line_id,
                commission,
                commission_rate=terms.commission_rate,
            )
        )
    sharers = terms.sharers()
    for sharer, fen in zip(
        sharers, split_fen(net - commission, [s.share_bp for s in sharers]), strict=True
    ):
        if fen:
            parts.append(
                Part(
                    sharer.partner_id,
                    SALE_SHARE,
                    sharer.role,
                    terms.line_id,
                    fen,
                    share_bp=sharer.share_bp,
                )
            )
    return parts


def sale_plan(lines: Sequence[LineTerms], discount_fen: int, captured_fen: int) -> list[Part]:
    """The parts of a captured payment; they add up to ``captured_fen`` exactly."""
    if not lines:
        raise ValueError("an order to split has at least one line")
    lines = stable_order(lines)
    nets = lines_net_fen([line.line_total_fen for line in lines], discount_fen)
    items = sum(nets)
    if captured_fen < items:
        # Paid less than the lines are worth: the lines share what was paid.
        nets = split_by_weights(captured_fen, nets)
        items = captured_fen
    shipping = split_by_weights(captured_fen - items, nets)
    parts: list[Part] = []
    for terms, net, ship in zip(lines, nets, shipping, strict=True):
        parts.extend(_revenue_parts(terms, net))
        if ship:
            parts.append(
                Part(terms.logistics_partner_id, SHIPPING_INCOME, LOGISTICS, terms.line_id, ship)
            )
    return parts


def _borne_by(terms: LineTerms, fen: int, kind: str) -> list[Part]:
    """``fen`` charged to a line's parties by their shares (negative parts)."""
    sharers = terms.sharers()
    return [
        Part(sharer.partner_id, kind, sharer.role, terms.line_id, -part, share_bp=sharer.share_bp)
        for sharer, part in zip(sharers, split_fen(fen, [s.share_bp for s in sharers]), strict=True)
        if part
    ]


def payment_fee_plan(lines: Sequence[LineTerms], discount_fen: int, fee_fen: int) -> list[Part]:
    """The payment fee, borne per line as its agreement says; adds up to ``-fee_fen``."""
    if fee_fen == 0:
        return []
    lines = stable_order(lines)
    nets = lines_net_fen([line.line_total_fen for line in lines], discount_fen)
    parts: list[Part] = []
    for terms, fen in zip(lines, split_by_weights(fee_fen, nets), strict=True):
        if not fen:
            continue
        if terms.payment_fee_bearer == CHANNEL_OWNER:
            parts.append(
                Part(terms.channel_owner_id, PAYMENT_FEE, CHANNEL_OWNER, terms.line_id, -fen)
            )
        else:
            parts.extend(_borne_by(terms, fen, PAYMENT_FEE))
    return parts


def parcel_fee_plan(lines: Sequence[LineTerms], fee_fen: int, operator_id: int) -> list[Part]:
    """One parcel's logistics fee: the operator earns ``fee_fen`` once; the agreements of
    the parcel's lines pay it in proportion to their lines' value (largest remainder,
    agreements by id), each agreement's part split over its parties by their shares.
    Adds up to zero."""
    if fee_fen == 0 or not lines:
        return []
    lines = stable_order(lines)
    groups: dict[int | None, list[LineTerms]] = {}
    for terms in lines:
        groups.setdefault(terms.agreement_version_id, []).append(terms)
    versions = sorted(groups, key=lambda version: (version is None, version or 0))
    values = [sum(terms.line_total_fen for terms in groups[v]) for v in versions]
    parts = [Part(operator_id, LOGISTICS_FEE, LOGISTICS, lines[0].line_id, fee_fen)]
    for version, fen in zip(versions, split_by_weights(fee_fen, values), strict=True):
        if fen:
            # The agreement's lines have the same parties: its first line carries them.
            parts.extend(_borne_by(groups[version][0], fen, LOGISTICS_FEE))
    return parts

"""The payment fee refunds give back, spread over who bore it, in integer fen with no
database.

WeChat Pay and Alipay give back the fee of what is refunded (``Refund.fee_returned``,
shop/payments/refund_fees.py). The ledger books it as ``payment_fee`` entries of the
opposite sign to the payment's own fee entries, from the event ``refund-fee:<refund id>``,
so each partner's fee share shrinks by what came back and the statements' payment fees
column shows the fee net of it.

What the ledger holds returned after some refunds is one pure function of the payment's
fee parts and the total those refunds gave back: that total spread over the fee parts in
proportion to what each bore (largest remainder in fen, the parts in a stable order).
Each refund writes the difference between that function with it and what is recorded
before it, so the refunds' order changes nothing, the parts of each refund add up to
exactly its fee returned, and when the whole fee has come back every part is given back
exactly (a fee part never ends with more returned than it bore).
"""

from __future__ import annotations

from collections.abc import Sequence

from partners.ledger.reversal import Bucket, BucketKey
from partners.ledger.split import PAYMENT_FEE, Part, split_by_weights


def _ordered(buckets: Sequence[Bucket]) -> list[Bucket]:
    return sorted(buckets, key=lambda b: (b.line_id, b.partner_id, b.role, b.share_bp or 0, b.kind))


def fee_return_targets(fee_buckets: Sequence[Bucket], returned_fen: int) -> dict[BucketKey, int]:
    """How many fen of each fee part (a negative bucket: what the partner bore) a total of
    ``returned_fen`` gives back (positive), in proportion to what each bore."""
    borne = [b for b in _ordered(fee_buckets) if b.fen < 0]
    total = -sum(b.fen for b in borne)
    if returned_fen < 0 or returned_fen > total:
        raise ValueError("the fee returned exceeds the fee borne")
    if returned_fen == 0 or not borne:
        return {}
    split = split_by_weights(returned_fen, [-b.fen for b in borne])
    return {b.key: fen for b, fen in zip(borne, split, strict=True)}


def fee_return_parts(
    fee_buckets: Sequence[Bucket], returned_before: dict[BucketKey, int], returned_fen: int
) -> list[Part]:
    """The entries that take the ledger from ``returned_before`` (what earlier refunds gave
    back of each fee part, positive) to what a total of ``returned_fen`` gives back."""
    targets = fee_return_targets(fee_buckets, returned_fen)
    parts = []
    for bucket in _ordered(fee_buckets):
        fen = targets.get(bucket.key, 0) - returned_before.get(bucket.key, 0)
        if fen:
            parts.append(
                Part(
                    bucket.partner_id,
                    PAYMENT_FEE,
                    bucket.role,
                    bucket.line_id,
                    fen,
                    share_bp=bucket.share_bp,
                )
            )
    return parts

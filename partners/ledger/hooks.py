"""The money hooks: the ledger entries of captured payments (and their fee), succeeded
refunds (and the fee they gave back) and shipped parcels, called through
:mod:`partners.hooks` by the selling code inside its own transactions.

A money event and its ledger entries are written together or not at all. Each hook is
idempotent: an event already in the ledger is not written again. The ledger is
append-only; nothing here updates or deletes an entry.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from partners.agreements import order_lines_agreements_attach
from partners.ledger import fee_returns, reversal, split
from partners.ledger.entries import EventContext, daily_sales_add, entries_write
from partners.ledger.terms import order_lines_terms
from partners.models import LedgerEntry, RefundPolicy
from shop.core.money import MoneySum, to_fen
from shop.orders.models import Order
from shop.payments.models import Payment, Refund


def _recorded(source: str) -> bool:
    return LedgerEntry.objects.filter(source=source).exists()


# No savepoint: a payment whose entries cannot be written is not recorded as paid either.
@transaction.atomic(savepoint=False)
def ledger_payment_record(*, payment: Any, first: bool = False) -> None:
    """Write the ledger entries of a captured payment (and its fee). ``first``: the
    caller has just marked the payment's order paid, for the first time and under its
    lock, so none of the payment's entries can be in the ledger yet (and need not be
    looked for)."""
    # Only what never changes once an order is placed is read from it (its id, channel,
    # discount and placing time): the order the payment already holds will do.
    order = payment.order if Payment.order.is_cached(payment) else None
    if order is None or order.pk != payment.order_id:
        order = Order.objects.get(pk=payment.order_id)
    occurred_at = payment.succeeded_at or timezone.now()
    source = f"payment:{payment.pk}"
    terms = None
    if first or not _recorded(source):
        terms = order_lines_terms(order)
        if any(facts.agreement_version_id is None for facts in terms.facts.values()):
            # Orders placed before their lines recorded their terms.
            order_lines_agreements_attach(order=order)
            terms = order_lines_terms(order)
        parts = split.sale_plan(terms.lines, to_fen(order.discount), to_fen(payment.amount))
        context = EventContext(source, order.pk, order.channel_id, occurred_at, terms.facts)
        entries_write(context, parts)
        daily_sales_add(
            context,
            parts,
            concerned=terms.concerned,
            units={line_id: facts.quantity for line_id, facts in terms.facts.items()},
        )
    fee_source = f"payment-fee:{payment.pk}"
    if payment.fee and (first or not _recorded(fee_source)):
        # The lines' terms do not change between the sale and its fee.
        terms = terms or order_lines_terms(order)
        parts = split.payment_fee_plan(terms.lines, to_fen(order.discount), to_fen(payment.fee))
        context = EventContext(fee_source, order.pk, order.channel_id, occurred_at, terms.facts)
        entries_write(context, parts)
        daily_sales_add(context, parts, concerned={}, mode="fee")


def _sale_of(order_id: int, terms: Any) -> reversal.Sale:
    """The order's sale parts in the ledger, with its lines' quantities and products."""
    rows = (
        LedgerEntry.objects.filter(order_id=order_id, kind__in=split.REVERSIBLE_KINDS)
        .values("partner_id", "kind", "role", "order_line_id", "share_bp")
        .annotate(total=MoneySum("amount"))
        .order_by("order_line_id", "partner_id", "role", "kind")
    )
    return reversal.Sale(
        buckets=tuple(
            reversal.Bucket(
                row["partner_id"],
                row["kind"],
                row["role"],
                row["order_line_id"],
                to_fen(row["total"]),
                row["share_bp"],
            )
            for row in rows
        ),
        quantities={line_id: facts.quantity for line_id, facts in terms.facts.items()},
        products={line_id: facts.product_id for line_id, facts in terms.facts.items()},
        keep_commission_line_ids=frozenset(
            t.line_id for t in terms.lines if t.refund_policy == RefundPolicy.PARTIES
        ),
    )


def _reversed_so_far(order_id: int) -> tuple[dict[reversal.BucketKey, int], list[int]]:
    """What the order's recorded refunds reversed of each sale part, and their ids."""
    entries = LedgerEntry.objects.filter(order_id=order_id, kind=split.REFUND_REVERSAL)
    rows = (
        entries.values("partner_id", "reversed_kind", "role", "order_line_id", "share_bp")
        .annotate(total=MoneySum("amount"))
        .order_by()
    )
    reversed_before: dict[reversal.BucketKey, int] = {}
    for row in rows:
        key = (
            row["order_line_id"],
            row["partner_id"],
            row["reversed_kind"],
            row["role"],
            row["share_bp"],
        )
        reversed_before[key] = reversed_before.get(key, 0) - to_fen(row["total"])
    sources = entries.values_list("source", flat=True).distinct().order_by()
    ids = sorted(int(s.split(":", 1)[1]) for s in sources if s.startswith("refund:"))
    return reversed_before, ids


def _claim(refund: Any) -> reversal.RefundClaim:
    return reversal.RefundClaim(
        to_fen(refund.amount),
        tuple(
            (int(item["line_id"]), int(item.get("quantity") or 0))
            for item in (refund.lines or [])
            if isinstance(item, dict) and "line_id" in item
        ),
        shipping=bool(getattr(refund, "shipping", False)),
    )


def _refund_units(refund: Any, terms: Any, buckets_after: int) -> dict[int, int]:
    """Units a refund gives back: its lines, or every unit not yet refunded when it
    empties the order without naming lines."""
    named = {
        int(item["line_id"]): int(item.get("quantity") or 0)
        for item in (refund.lines or [])
        if isinstance(item, dict) and "line_id" in item
    }
    if named:
        return {line_id: qty for line_id, qty in named.items() if line_id in terms.facts}
    if buckets_after > 0 or getattr(refund, "shipping", False):
        return {}
    already: dict[int, int] = {}
    for other in refund.__class__.objects.filter(
        order_id=refund.order_id, status="succeeded"
    ).exclude(pk=refund.pk):
        for item in other.lines or []:
            if isinstance(item, dict) and "line_id" in item:
                line_id = int(item["line_id"])
                already[line_id] = already.get(line_id, 0) + int(item.get("quantity") or 0)
    return {
        line_id: max(facts.quantity - already.get(line_id, 0), 0)
        for line_id, facts in terms.facts.items()
    }


@transaction.atomic
def ledger_refund_record(*, refund: Any) -> None:
    """Write the reversing ledger entries of a succeeded refund, and those of the payment
    fee it gave back."""
    if not _recorded(f"refund:{refund.pk}"):
        _refund_reversal_record(refund)
    if refund.fee_returned and not _recorded(f"refund-fee:{refund.pk}"):
        _refund_fee_record(refund)


def _refund_reversal_record(refund: Any) -> None:
    source = f"refund:{refund.pk}"
    order = Order.objects.get(pk=refund.order_id)
    if not LedgerEntry.objects.filter(order_id=order.pk, kind__in=split.REVERSIBLE_KINDS).exists():
        # The sale was never recorded (an order paid before the ledger existed).
        ledger_payment_record(payment=refund.payment)
    terms = order_lines_terms(order, warehouses_from_ledger=True)
    sale = _sale_of(order.pk, terms)
    reversed_before, earlier_ids = _reversed_so_far(order.pk)
    earlier = Refund.objects.filter(pk__in=earlier_ids).only("amount", "lines")
    claims = [*(_claim(other) for other in earlier), _claim(refund)]
    parts = reversal.reversal_parts(sale, reversed_before, claims)
    left = sum(b.fen for b in sale.buckets) - sum(c.fen for c in claims)
    context = EventContext(
        source, order.pk, order.channel_id, refund.succeeded_at or timezone.now(), terms.facts
    )
    entries_write(context, parts)
    daily_sales_add(
        context,
        parts,
        concerned=terms.concerned,
        units_refunded=_refund_units(refund, terms, left),
        mode="refund",
    )


def _fee_buckets(order_id: int, source: str) -> dict[reversal.BucketKey, int]:
    """The order's payment fee entries of ``source`` (a prefix when it ends with ":"),
    summed per line, partner, role and share."""
    entries = LedgerEntry.objects.filter(order_id=order_id, kind=split.PAYMENT_FEE)
    entries = (
        entries.filter(source__startswith=source)
        if source.endswith(":")
        else entries.filter(source=source)
    )
    rows = (
        entries.values("partner_id", "role", "order_line_id", "share_bp")
        .annotate(total=MoneySum("amount"))
        .order_by()
    )
    return {
        (r["order_line_id"], r["partner_id"], split.PAYMENT_FEE, r["role"], r["share_bp"]): to_fen(
            r["total"]
        )
        for r in rows
    }


def _refund_fee_record(refund: Any) -> None:
    """The payment fee ``refund`` gave back, returned to the fee's bearers
    (:mod:`partners.ledger.fee_returns`): what all the order's recorded fee returns and
    this one give back together, less what is in the ledger already."""
    order = Order.objects.get(pk=refund.order_id)
    borne = _fee_buckets(order.pk, f"payment-fee:{refund.payment_id}")
    buckets = [reversal.Bucket(k[1], k[2], k[3], k[0], fen, k[4]) for k, fen in borne.items()]
    returned_before = _fee_buckets(order.pk, "refund-fee:")
    sources = (
        LedgerEntry.objects.filter(order_id=order.pk, source__startswith="refund-fee:")
        .values_list("source", flat=True)
        .distinct()
        .order_by()
    )
    ids = {int(s.split(":", 1)[1]) for s in sources} | {refund.pk}
    total = Refund.objects.filter(pk__in=ids, payment_id=refund.payment_id).aggregate(
        total=MoneySum("fee_returned")
    )["total"]
    # Never more than the fee the ledger holds (check_invariants reports such a payment).
    returned = min(to_fen(total), -sum(b.fen for b in buckets if b.fen < 0))
    parts = fee_returns.fee_return_parts(buckets, returned_before, returned)
    terms = order_lines_terms(order, warehouses_from_ledger=True)
    occurred_at = refund.succeeded_at or timezone.now()
    context = EventContext(
        f"refund-fee:{refund.pk}", order.pk, order.channel_id, occurred_at, terms.facts
    )
    entries_write(context, parts)
    daily_sales_add(context, parts, concerned={}, mode="fee")


@transaction.atomic
def ledger_shipment_fee_record(*, shipment: Any) -> None:
    """Write the logistics fee of a shipped parcel.

    The parcel earns one fee, the highest of its lines' agreement fees (the lower
    agreement id when two are as high); the operator is that agreement's logistics
    partner, or else the partner of the shipping warehouse. The agreements of the
    shipped lines pay it by line value (:func:`split.parcel_fee_plan`).
    """
    source = f"shipment:{shipment.pk}"
    if _recorded(source):
        return
    order = Order.objects.get(pk=shipment.order_id)
    terms = order_lines_terms(order, warehouse_id=shipment.warehouse_id)
    shipped_line_ids = _shipment_line_ids(shipment)
    lines = [t for t in terms.lines if not shipped_line_ids or t.line_id in shipped_line_ids]
    versions = [v for t in lines if (v := terms.versions.get(t.line_id)) is not None]
    if not versions:
        return
    version = max(versions, key=lambda v: (v.logistics_fee, -v.pk))
    if not version.logistics_fee:
        return
    operator_id = version.logistics_partner_id or shipment.warehouse.partner_id
    parts = split.parcel_fee_plan(lines, to_fen(version.logistics_fee), operator_id)
    occurred_at = getattr(shipment, "shipped_at", None) or timezone.now()
    context = EventContext(source, order.pk, order.channel_id, occurred_at, terms.facts)
    entries_write(context, parts)
    daily_sales_add(context, parts, concerned={}, mode="fee")


def _shipment_line_ids(shipment: Any) -> set[int]:
    lines = getattr(shipment, "lines", None)
    if lines is None or not hasattr(lines, "values_list"):
        return set()
    return set(lines.values_list("order_line_id", flat=True))

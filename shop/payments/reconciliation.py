"""The daily reconciliation: each provider's bill for a day, matched against the shop's
payments and refunds.

A bill (read by shop/payments/bill_reading.py) is kept row by row (``BillLine``), and
each row is matched with the shop's payment or refund by our own trade or refund number:
a row the shop does not know, an amount that differs, a fee that differs (a payment's
fee, or the fee a refund gave back) is written as a :class:`BillMismatch` for staff
(admin: 对账差异) and counted in the partner's report; so is a bill whose stated totals
differ from its own rows.

Neighbouring days: a payment paid at 23:59:59 may be billed the next day, and the shop
may learn of a payment a moment after midnight that the provider billed the day
before. So what the shop counts as succeeded on day D is looked for in the bills of
D-1, D and D+1. One found in none of them, while D+1's bill is not reconciled yet, is
*pending* (shown, not counted as a mismatch); once D+1's bill is reconciled it is found
there, and the pending line goes, or it becomes a mismatch. Reconciling a day
re-examines its neighbours too, so the days may come in any order and running a day
again changes nothing: its rows and its open lines are replaced; lines staff settled
stay settled.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.db import transaction

from shop.core.errors import ShopError
from shop.core.money import ZERO
from shop.payments.bill_reading import CHINA, Bill, BillRow, bill_download
from shop.payments.models import (
    BillLine,
    BillMismatch,
    BillMismatchKind,
    BillStatement,
    Payment,
    PaymentProvider,
    Refund,
    RefundStatus,
)
from shop.payments.providers import providers_enabled

logger = logging.getLogger(__name__)

BILLED_PROVIDERS = (PaymentProvider.WECHATPAY, PaymentProvider.ALIPAY)
_ROW_KINDS = (BillMismatchKind.NOT_IN_SHOP, BillMismatchKind.AMOUNT, BillMismatchKind.FEE)


def _day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=CHINA)
    return start, start + timedelta(days=1)


def bill_reconcile(*, provider: str, day: date) -> BillStatement:
    """Download ``provider``'s bill of ``day`` and match it; returns the statement."""
    return bill_statement_write(provider, day, bill_download(provider, day))


@transaction.atomic
def bill_statement_write(provider: str, day: date, bill: Bill) -> BillStatement:
    """Keep ``bill`` as the statement of ``provider``'s ``day`` and match it, then look
    again at what the shop counted on that day and its neighbours."""
    statement, _ = BillStatement.objects.select_for_update().get_or_create(
        provider=provider, bill_date=day
    )
    rows = list({(r.kind, r.reference): r for r in bill.rows}.values())
    statement.lines.all().delete()
    BillLine.objects.bulk_create(
        BillLine(
            statement=statement,
            kind=r.kind,
            reference=r.reference,
            amount=r.amount,
            fee=r.fee,
            occurred_at=r.occurred_at,
        )
        for r in rows
    )
    statement.mismatches.filter(
        resolved=False, kind__in=[*_ROW_KINDS, BillMismatchKind.TOTAL]
    ).delete()
    payments = _payments(provider, [r.reference for r in rows if r.kind == "payment"])
    refunds = _refunds(provider, [r.reference for r in rows if r.kind == "refund"])
    found: list[BillMismatch] = []
    shop_fees = ZERO
    for row in rows:
        if row.kind == "payment":
            found += _payment_problems(row, payments)
            shop_fees += payments[row.reference].fee if row.reference in payments else ZERO
        else:
            found += _refund_problems(row, refunds)
            refund = refunds.get(row.reference)
            shop_fees -= refund.fee_returned if refund is not None else ZERO
    found += _totals_problems(bill)
    statement.rows = len(rows)
    statement.matched = len(rows) - len({m.reference for m in found if m.kind in _ROW_KINDS})
    statement.bill_fees, statement.shop_fees = bill.sums().fees or ZERO, shop_fees
    _mismatches_add(statement, found)
    neighbours = BillStatement.objects.filter(
        provider=provider, bill_date__range=(day - timedelta(days=1), day + timedelta(days=1))
    ).order_by("bill_date")
    for neighbour in neighbours:
        if neighbour.pk == statement.pk:
            neighbour = statement
        _unbilled_refresh(neighbour)
    statement.refresh_from_db()
    return statement


def _mismatches_add(statement: BillStatement, found: list[BillMismatch]) -> None:
    """Write the open lines found, except those staff already settled."""
    settled = set(statement.mismatches.values_list("kind", "reference"))
    for mismatch in found:
        mismatch.statement = statement
    BillMismatch.objects.bulk_create(
        [m for m in found if (m.kind, m.reference) not in settled], ignore_conflicts=True
    )


def _payments(provider: str, references: list[str]) -> dict[str, Payment]:
    found = Payment.objects.filter(provider=provider, provider_reference__in=references)
    return {p.provider_reference: p for p in found.select_related("order")}


def _refunds(provider: str, references: list[str]) -> dict[str, Refund]:
    found = Refund.objects.filter(payment__provider=provider, provider_reference__in=references)
    return {r.provider_reference: r for r in found.select_related("order", "payment")}


def _not_in_shop(row: BillRow) -> list[BillMismatch]:
    return [
        BillMismatch(
            kind=BillMismatchKind.NOT_IN_SHOP, reference=row.reference, bill_amount=row.amount
        )
    ]


def _payment_problems(row: BillRow, payments: dict[str, Payment]) -> list[BillMismatch]:
    payment = payments.get(row.reference)
    if payment is None:
        return _not_in_shop(row)
    shop = payment.confirmed_amount if payment.confirmed_amount is not None else payment.amount
    base = {"reference": row.reference, "payment": payment, "channel_id": payment.order.channel_id}
    if shop != row.amount:
        return [
            BillMismatch(
                kind=BillMismatchKind.AMOUNT, shop_amount=shop, bill_amount=row.amount, **base
            )
        ]
    if payment.fee != row.fee:
        return [
            BillMismatch(
                kind=BillMismatchKind.FEE, shop_amount=payment.fee, bill_amount=row.fee, **base
            )
        ]
    return []


def _refund_problems(row: BillRow, refunds: dict[str, Refund]) -> list[BillMismatch]:
    refund = refunds.get(row.reference)
    if refund is None:
        return _not_in_shop(row)
    base = {
        "reference": row.reference,
        "refund": refund,
        "payment": refund.payment,
        "channel_id": refund.order.channel_id,
    }
    succeeded = refund.status == RefundStatus.SUCCEEDED
    if not succeeded or refund.amount != row.amount:
        return [
            BillMismatch(
                kind=BillMismatchKind.AMOUNT,
                shop_amount=refund.amount if succeeded else ZERO,
                bill_amount=row.amount,
                **base,
            )
        ]
    if refund.fee_returned != row.fee:
        return [
            BillMismatch(
                kind=BillMismatchKind.FEE,
                shop_amount=refund.fee_returned,
                bill_amount=row.fee,
                **base,
            )
        ]
    return []


def _totals_problems(bill: Bill) -> list[BillMismatch]:
    """The bill's stated totals against its own rows: one line naming what differs (a
    bill cut short, or rows the reading missed)."""
    sums, stated = bill.sums(), bill.totals
    differing = [
        name
        for name in ("rows", "paid", "refunded", "fees")
        if getattr(stated, name) is not None and getattr(stated, name) != getattr(sums, name)
    ]
    if not differing:
        return []
    first = differing[0]
    return [
        BillMismatch(
            kind=BillMismatchKind.TOTAL,
            reference="totals",
            bill_amount=getattr(stated, first),
            shop_amount=getattr(sums, first),
            note=("differs: " + ", ".join(differing))[:255],
        )
    ]


def _unbilled_refresh(statement: BillStatement) -> None:
    """What the shop counts as succeeded on the statement's day and no bill of that day
    or a neighbouring one holds: pending while the next day's bill is not reconciled,
    a mismatch once it is. Replaces the statement's open lines of that kind."""
    day = statement.bill_date
    statement.mismatches.filter(resolved=False, kind=BillMismatchKind.NOT_IN_BILL).delete()
    billed = set(
        BillLine.objects.filter(
            statement__provider=statement.provider,
            statement__bill_date__range=(day - timedelta(days=1), day + timedelta(days=1)),
        ).values_list("kind", "reference")
    )
    waiting = not BillStatement.objects.filter(
        provider=statement.provider, bill_date=day + timedelta(days=1)
    ).exists()
    found = []
    for mismatch in _shop_succeeded(statement.provider, day):
        kind = "payment" if mismatch.refund_id is None else "refund"
        if (kind, mismatch.reference) not in billed:
            mismatch.pending = waiting
            found.append(mismatch)
    _mismatches_add(statement, found)
    open_lines = statement.mismatches.filter(resolved=False)
    statement.mismatched = open_lines.filter(pending=False).count()
    statement.pending = open_lines.filter(pending=True).count()
    statement.save()


def _shop_succeeded(provider: str, day: date) -> list[BillMismatch]:
    """A ``not_in_bill`` line for each payment and refund the shop counts as succeeded
    on ``day`` (China time)."""
    start, end = _day_window(day)
    found = []
    paid = Payment.objects.filter(provider=provider, succeeded_at__gte=start, succeeded_at__lt=end)
    for payment in paid.select_related("order"):
        shop = payment.confirmed_amount if payment.confirmed_amount is not None else payment.amount
        found.append(
            BillMismatch(
                kind=BillMismatchKind.NOT_IN_BILL,
                reference=payment.provider_reference,
                payment=payment,
                channel_id=payment.order.channel_id,
                shop_amount=shop,
            )
        )
    refunded = Refund.objects.filter(
        payment__provider=provider,
        status=RefundStatus.SUCCEEDED,
        succeeded_at__gte=start,
        succeeded_at__lt=end,
    )
    for refund in refunded.select_related("order", "payment"):
        found.append(
            BillMismatch(
                kind=BillMismatchKind.NOT_IN_BILL,
                reference=refund.provider_reference,
                refund=refund,
                payment=refund.payment,
                channel_id=refund.order.channel_id,
                shop_amount=refund.amount,
            )
        )
    return found


def bills_reconcile_yesterday(*, today: date | None = None) -> dict[str, int]:
    """The daily task: yesterday's bill of each enabled provider that offers one.
    Returns the mismatches found per provider (-1: the bill could not be had; the task
    runs again tomorrow, and staff can run a day again with ``bills_reconcile``)."""
    day = (today or datetime.now(CHINA).date()) - timedelta(days=1)
    found: dict[str, int] = {}
    for provider in BILLED_PROVIDERS:
        if provider not in providers_enabled():
            continue
        try:
            found[str(provider)] = bill_reconcile(provider=provider, day=day).mismatched
        except ShopError as exc:
            logger.warning("bill of %s for %s not reconciled: %s", provider, day, exc.code)
            found[str(provider)] = -1
    return found

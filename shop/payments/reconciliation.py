"""The daily reconciliation: each provider's bill for a day, matched against the shop's
payments and refunds.

WeChat Pay's trade bill (``/v3/bill/tradebill``, every value behind a backtick) and
Alipay's business detail (the CSV in the zip its bill download URL gives, in GBK) are
read into the same rows: a payment (its amount and fee) or a refund. Each row is
matched with the shop's payment or refund by our own trade or refund number; what
differs, and what the shop holds as succeeded that day but the bill lacks, is written
as a :class:`BillMismatch` for staff (admin: 对账差异) and counted in the partner's
report. Running a day again replaces its open mismatches; settled ones stay.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import transaction

from shop.core.errors import ShopError
from shop.payments.models import (
    BillMismatch,
    BillMismatchKind,
    BillStatement,
    Payment,
    PaymentProvider,
    Refund,
    RefundStatus,
)
from shop.payments.providers import provider_get, providers_enabled

logger = logging.getLogger(__name__)

CHINA = ZoneInfo("Asia/Shanghai")  # both providers cut their bills at midnight in China
BILLED_PROVIDERS = (PaymentProvider.WECHATPAY, PaymentProvider.ALIPAY)


@dataclass(frozen=True)
class BillRow:
    kind: str  # "payment" or "refund"
    reference: str  # our trade number (payment) or refund number (refund)
    amount: Decimal
    fee: Decimal  # what the provider kept on a payment


def _money(text: str) -> Decimal:
    try:
        return abs(Decimal(text.strip() or "0"))
    except InvalidOperation:
        return Decimal("0")


def wechatpay_bill_rows(text: str) -> list[BillRow]:
    """The rows of a WeChat Pay trade bill, up to its totals."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = lines[0].lstrip("\ufeff").split(",")
    rows = []
    for line in lines[1:]:
        if line.startswith("总交易单数"):
            break
        values = dict(zip(header, (v.lstrip("`") for v in line.split(",")), strict=False))
        if values.get("交易状态") == "REFUND":
            rows.append(
                BillRow(
                    "refund",
                    values.get("商户退款单号", ""),
                    _money(values["退款金额"]),
                    _money("0"),
                )
            )
        elif values.get("交易状态") == "SUCCESS":
            amount = _money(values.get("订单金额") or values.get("应结订单金额", "0"))
            rows.append(
                BillRow("payment", values.get("商户订单号", ""), amount, _money(values["手续费"]))
            )
    return rows


def alipay_bill_rows(raw: bytes) -> list[BillRow]:
    """The rows of Alipay's business detail (comment lines start with ``#``)."""
    text = raw.decode("gbk", errors="replace")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = []
    for values in csv.DictReader(io.StringIO("\n".join(lines))):
        kind = (values.get("业务类型") or "").strip()
        fee = _money(values.get("服务费（元）") or "0")
        if kind == "交易":
            amount = _money(values.get("订单金额（元）") or "0")
            rows.append(BillRow("payment", values.get("商户订单号", "").strip(), amount, fee))
        elif kind == "退款":
            amount = _money(values.get("商家实收（元）") or "0")
            number = values.get("退款批次号/请求号", "").strip()
            rows.append(BillRow("refund", number, amount, fee))
    return rows


def bill_rows(provider: str, day: date) -> list[BillRow]:
    """Download and read a provider's bill of ``day``."""
    gateway = provider_get(provider)
    raw = gateway.trade_bill(day.isoformat())
    if provider == PaymentProvider.WECHATPAY:
        return wechatpay_bill_rows(raw.decode("utf-8-sig", errors="replace"))
    return alipay_bill_rows(raw)


def _day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=CHINA)
    return start, start + timedelta(days=1)


def bill_reconcile(*, provider: str, day: date) -> BillStatement:
    """Download ``provider``'s bill of ``day`` and match it; returns the statement."""
    rows = bill_rows(provider, day)
    return _statement_write(provider, day, rows)


@transaction.atomic
def _statement_write(provider: str, day: date, rows: list[BillRow]) -> BillStatement:
    statement, _ = BillStatement.objects.get_or_create(provider=provider, bill_date=day)
    statement.mismatches.filter(resolved=False).delete()
    found: list[BillMismatch] = []
    matched = 0
    payments = _payments(provider, [r.reference for r in rows if r.kind == "payment"])
    refunds = _refunds(provider, [r.reference for r in rows if r.kind == "refund"])
    for row in rows:
        problems = (
            _payment_problems(row, payments)
            if row.kind == "payment"
            else _refund_problems(row, refunds)
        )
        matched += not problems
        found += problems
    found += _not_billed(provider, day, rows)
    settled = set(statement.mismatches.values_list("kind", "reference"))
    for mismatch in found:
        mismatch.statement = statement
    BillMismatch.objects.bulk_create(
        [m for m in found if (m.kind, m.reference) not in settled], ignore_conflicts=True
    )
    statement.rows, statement.matched, statement.mismatched = len(rows), matched, len(found)
    statement.save()
    return statement


def _payments(provider: str, references: list[str]) -> dict[str, Payment]:
    found = Payment.objects.filter(provider=provider, provider_reference__in=references)
    return {p.provider_reference: p for p in found.select_related("order")}


def _refunds(provider: str, references: list[str]) -> dict[str, Refund]:
    found = Refund.objects.filter(payment__provider=provider, provider_reference__in=references)
    return {r.provider_reference: r for r in found.select_related("order", "payment")}


def _payment_problems(row: BillRow, payments: dict[str, Payment]) -> list[BillMismatch]:
    payment = payments.get(row.reference)
    if payment is None:
        return [
            BillMismatch(
                kind=BillMismatchKind.NOT_IN_SHOP, reference=row.reference, bill_amount=row.amount
            )
        ]
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
        return [
            BillMismatch(
                kind=BillMismatchKind.NOT_IN_SHOP, reference=row.reference, bill_amount=row.amount
            )
        ]
    base = {
        "reference": row.reference,
        "refund": refund,
        "payment": refund.payment,
        "channel_id": refund.order.channel_id,
    }
    if refund.status != RefundStatus.SUCCEEDED or refund.amount != row.amount:
        return [
            BillMismatch(
                kind=BillMismatchKind.AMOUNT,
                shop_amount=refund.amount
                if refund.status == RefundStatus.SUCCEEDED
                else Decimal("0"),
                bill_amount=row.amount,
                **base,
            )
        ]
    return []


def _not_billed(provider: str, day: date, rows: list[BillRow]) -> list[BillMismatch]:
    """What the shop counts as succeeded that day and the bill does not hold."""
    start, end = _day_window(day)
    billed = {(r.kind, r.reference) for r in rows}
    found = []
    paid = Payment.objects.filter(provider=provider, succeeded_at__gte=start, succeeded_at__lt=end)
    for payment in paid.select_related("order"):
        if ("payment", payment.provider_reference) not in billed:
            shop = (
                payment.confirmed_amount if payment.confirmed_amount is not None else payment.amount
            )
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
        if ("refund", refund.provider_reference) not in billed:
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

"""Reading the providers' daily bills into rows the reconciliation matches.

WeChat Pay's trade bill (``/v3/bill/tradebill``, every value behind a backtick, its
totals in the last two lines) and Alipay's business detail (the CSV in the zip its bill
download URL gives, in GBK, its counts in a closing comment) are read into the same
rows: a payment (its amount and the fee the provider kept) or a refund (its amount and
the fee it gave back), each with the provider's own time of it, and the totals the bill
states.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from shop.core.money import ZERO
from shop.payments.models import PaymentProvider
from shop.payments.providers import provider_get

CHINA = ZoneInfo("Asia/Shanghai")  # both providers cut their bills at midnight in China


@dataclass(frozen=True)
class BillRow:
    kind: str  # "payment" or "refund"
    reference: str  # our trade number (payment) or refund number (refund)
    amount: Decimal
    fee: Decimal  # what the provider kept on a payment, or gave back on a refund
    occurred_at: datetime | None = None  # the provider's time of it


@dataclass(frozen=True)
class BillTotals:
    """What the bill says it adds up to (None: the bill does not say)."""

    rows: int | None = None
    paid: Decimal | None = None
    refunded: Decimal | None = None
    fees: Decimal | None = None  # the fees kept less the fees given back


@dataclass(frozen=True)
class Bill:
    rows: list[BillRow]
    totals: BillTotals = field(default_factory=BillTotals)

    def sums(self) -> BillTotals:
        """What its rows add up to, in the terms of :class:`BillTotals`."""
        paid = [r for r in self.rows if r.kind == "payment"]
        refunds = [r for r in self.rows if r.kind == "refund"]
        return BillTotals(
            rows=len(self.rows),
            paid=sum((r.amount for r in paid), ZERO),
            refunded=sum((r.amount for r in refunds), ZERO),
            fees=sum((r.fee for r in paid), ZERO) - sum((r.fee for r in refunds), ZERO),
        )


def _money(text: str) -> Decimal:
    try:
        return abs(Decimal(text.strip() or "0"))
    except InvalidOperation:
        return ZERO


def _signed(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def _when(text: str) -> datetime | None:
    """The provider's time: WeChat Pay's ISO 8601 or ``YYYY-MM-DD HH:MM:SS`` (China)."""
    text = text.strip()
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=CHINA)


def _wechatpay_row(values: dict[str, str]) -> BillRow | None:
    if values.get("交易状态") == "REFUND":
        return BillRow(
            "refund",
            values.get("商户退款单号", ""),
            _money(values.get("退款金额", "0")),
            _money(values.get("手续费", "0")),
            _when(values.get("交易时间", "")),
        )
    if values.get("交易状态") == "SUCCESS":
        amount = _money(values.get("订单金额") or values.get("应结订单金额", "0"))
        return BillRow(
            "payment",
            values.get("商户订单号", ""),
            amount,
            _money(values.get("手续费", "0")),
            _when(values.get("交易时间", "")),
        )
    return None


def wechatpay_bill(text: str) -> Bill:
    """A WeChat Pay trade bill: its rows, then its totals (a header line, a value line)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return Bill([])
    header = lines[0].lstrip("\ufeff").split(",")
    rows: list[BillRow] = []
    totals = BillTotals()
    for number, line in enumerate(lines[1:], start=1):
        if line.startswith("总交易单数"):
            stated = lines[number + 1] if number + 1 < len(lines) else ""
            names = line.split(",")
            values = dict(zip(names, (v.lstrip("`") for v in stated.split(",")), strict=False))
            count = values.get("总交易单数", "")
            totals = BillTotals(
                rows=int(count) if count.isdigit() else None,
                paid=_signed(values.get("应结订单总金额", "")),
                refunded=_signed(values.get("退款总金额", "")),
                fees=_signed(values.get("手续费总金额", "")),
            )
            break
        values = dict(zip(header, (v.lstrip("`") for v in line.split(",")), strict=False))
        row = _wechatpay_row(values)
        if row is not None:
            rows.append(row)
    return Bill(rows, totals)


_ALIPAY_COUNTS = re.compile(r"#交易合计：(\d+)笔，退款合计：(\d+)笔")


def alipay_bill(raw: bytes) -> Bill:
    """Alipay's business detail (comment lines start with ``#``; one of them counts the
    trades and refunds)."""
    text = raw.decode("gbk", errors="replace")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = []
    for values in csv.DictReader(io.StringIO("\n".join(lines))):
        kind = (values.get("业务类型") or "").strip()
        fee = _money(values.get("服务费（元）") or "0")
        when = _when(values.get("完成时间") or "")
        if kind == "交易":
            amount = _money(values.get("订单金额（元）") or "0")
            rows.append(BillRow("payment", values.get("商户订单号", "").strip(), amount, fee, when))
        elif kind == "退款":
            amount = _money(values.get("商家实收（元）") or "0")
            number = values.get("退款批次号/请求号", "").strip()
            rows.append(BillRow("refund", number, amount, fee, when))
    counts = _ALIPAY_COUNTS.search(text)
    stated = int(counts.group(1)) + int(counts.group(2)) if counts else None
    return Bill(rows, BillTotals(rows=stated))


def bill_download(provider: str, day: date) -> Bill:
    """Download and read a provider's bill of ``day``."""
    raw = provider_get(provider).trade_bill(day.isoformat())
    if provider == PaymentProvider.WECHATPAY:
        return wechatpay_bill(raw.decode("utf-8-sig", errors="replace"))
    return alipay_bill(raw)

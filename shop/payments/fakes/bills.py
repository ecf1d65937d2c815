"""The day's bills the fakes offer for download, written as WeChat Pay and Alipay write
theirs (the columns the shop's reconciliation reads, and the others around them)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

BILL_COLUMNS = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)


WECHATPAY_TOTALS = (
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
)


def fen_fee(fen: int, rate: Decimal) -> int:
    return int((Decimal(fen) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def refund_fee_fen(
    total_fen: int, refund_fen: int, before: list[tuple[int, int]], rate: Decimal
) -> int:
    """The fee a refund gives back, as both providers do: the rate of the refunded part;
    the refund that empties the trade gets all the fee left; never more than is left.
    ``before``: the (amount, fee returned) of the trade's refunds made before it."""
    fee = fen_fee(total_fen, rate)
    left = fee - sum(f for _, f in before)
    if sum(a for a, _ in before) + refund_fen >= total_fen:
        return max(left, 0)
    return max(min(fen_fee(refund_fen, rate), left), 0)


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def _row(values: dict[str, str]) -> str:
    columns = BILL_COLUMNS.split(",")
    return ",".join("`" + values.get(name, "") for name in columns)


def wechatpay_bill(fake: Any, day: str) -> str:
    """The trade bill of ``day`` (YYYY-MM-DD, China time): one row per trade paid and per
    refund that succeeded that day, each value behind a backtick, then the totals."""
    lines, count, total, refunded, fees = [BILL_COLUMNS], 0, 0, 0, 0
    for trade in fake.trades.values():
        if str(trade.get("success_time", "")).startswith(day):
            fen = trade["amount"]["total"]
            fee = fen_fee(fen, fake.fee_rate)
            count, total, fees = count + 1, total + fen, fees + fee
            lines.append(_row({**_trade_columns(fake, trade), "交易状态": "SUCCESS",
                "应结订单金额": _yuan(fen), "手续费": _yuan(fee)}))  # fmt: skip
    for refund in fake.refunds.values():
        if refund["status"] == "SUCCESS" and str(refund.get("success_time", "")).startswith(day):
            trade = fake.trades[refund["out_trade_no"]]
            fen = refund["amount"]["refund"]
            fee = -refund["amount"]["refund_fee"]  # the fee of the refunded part comes back
            count, refunded, fees = count + 1, refunded + fen, fees + fee
            lines.append(_row({**_trade_columns(fake, trade), "交易时间": refund["success_time"],
                "交易状态": "REFUND", "应结订单金额": "0.00", "微信退款单号": refund["refund_id"],
                "商户退款单号": refund["out_refund_no"], "退款金额": _yuan(fen),
                "申请退款金额": _yuan(fen), "退款类型": "ORIGINAL", "退款状态": "SUCCESS",
                "手续费": _yuan(fee)}))  # fmt: skip
    lines.append(
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
    )
    sums = [str(count), _yuan(total), _yuan(refunded), "0.00", _yuan(fees)]
    sums += [_yuan(total), _yuan(refunded)]
    lines.append(",".join("`" + v for v in sums))
    return "\r\n".join(lines) + "\r\n"


def _trade_columns(fake: Any, trade: dict[str, Any]) -> dict[str, str]:
    return {
        "交易时间": str(trade.get("success_time", "")),
        "公众账号ID": fake.keys.appid,
        "商户号": fake.keys.mchid,
        "微信订单号": str(trade.get("transaction_id", "")),
        "商户订单号": trade["out_trade_no"],
        "用户标识": "oUser",
        "交易类型": trade["trade_type"],
        "付款银行": "OTHERS",
        "货币种类": "CNY",
        "代金券金额": "0.00",
        "商品名称": "Order",
        "商户数据包": str(trade.get("attach", "")),
        "费率": "0.60%",
        "订单金额": _yuan(trade["amount"]["total"]),
    }


ALIPAY_COLUMNS = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,"
    "对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
    "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
    "退款批次号/请求号,服务费（元）,分润（元）,备注"
)


def alipay_bill(fake: Any, day: str) -> str:
    """The business detail of ``day``: a trade row per payment (its fee negative) and a
    refund row per refund (its amount negative, the fee's share given back)."""
    lines = ["#支付宝业务明细查询", f"#账号：[{fake.keys.app_id}]", "#---业务明细列表---"]
    lines.append(ALIPAY_COLUMNS)
    columns = ALIPAY_COLUMNS.split(",")
    for trade in fake.trades.values():
        if str(trade.get("send_pay_date", "")).startswith(day):
            fen = int(Decimal(trade["total_amount"]) * 100)
            values = {"支付宝交易号": trade["trade_no"], "商户订单号": trade["out_trade_no"],
                "业务类型": "交易", "完成时间": trade["send_pay_date"],
                "订单金额（元）": trade["total_amount"], "商家实收（元）": trade["total_amount"],
                "服务费（元）": "-" + _yuan(fen_fee(fen, fake.fee_rate))}  # fmt: skip
            lines.append(",".join(values.get(name, "") for name in columns))
    for refund in fake.refunds.values():
        if str(refund.get("gmt", "")).startswith(day):
            values = {"支付宝交易号": refund["trade_no"], "商户订单号": refund["out_trade_no"],
                "业务类型": "退款", "完成时间": refund["gmt"],
                "订单金额（元）": refund["total_amount"],
                "商家实收（元）": "-" + refund["refund_amount"],
                "退款批次号/请求号": refund["out_request_no"],
                "服务费（元）": _yuan(refund["fee_fen"])}  # fmt: skip
            lines.append(",".join(values.get(name, "") for name in columns))
    trades = sum(1 for line in lines if ",交易," in line)
    refunds = sum(1 for line in lines if ",退款," in line)
    lines += ["#---业务明细列表结束---", f"#交易合计：{trades}笔，退款合计：{refunds}笔"]
    lines.append(f"#导出时间：[{day}]")
    return "\r\n".join(lines) + "\r\n"

"""A local Alipay open-platform gateway: the cashier (page and mobile web pay), trade
query, close, refund, refund query and the bill download URL; notifications signed as
Alipay sends them.

It checks each request's RSA2 signature with the app's public key (answering
``isv.invalid-signature`` without a signature, as Alipay does) and signs every answer
with Alipay's key over the exact text of its ``*_response`` object.
"""

from __future__ import annotations

import base64
import io
import json
import secrets
import zipfile
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from shop.payments.fakes.alipay_certs import AlipayCertificates
from shop.payments.fakes.base import Answer, FakeServer, KeyPair, Seen
from shop.payments.fakes.bills import alipay_bill, refund_fee_fen
from shop.payments.fakes.wechatpay import sign

CHINA = ZoneInfo("Asia/Shanghai")
_CASHIER = ("alipay.trade.page.pay", "alipay.trade.wap.pay")


_CASHIER_PAGE = """<!doctype html><html lang="zh"><meta charset="utf-8"><title>收银台</title>
<p>订单 {number}：¥{amount}</p>
<form method="post" action="/_fake/pay/{number}"><button>确认付款</button></form></html>"""


def _now() -> str:
    return datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def signed_string(params: dict[str, str], *, drop: tuple[str, ...]) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in drop and v != "")


class AlipayKeys:
    """The app's key pair (the merchant uploads its public key) and Alipay's; in
    certificate mode, the certificates Alipay issued for both and its root chain."""

    def __init__(self, *, certificates: bool = False) -> None:
        self.app_id = "2021000000000001"
        self.app = KeyPair.generate()
        self.alipay = KeyPair.generate()
        self.certificates = (
            AlipayCertificates.issue(self.app, self.alipay) if certificates else None
        )

    def shop_settings(self, url: str) -> dict[str, Any]:
        certs = self.certificates
        return {
            "ALIPAY_APP_ID": self.app_id,
            "ALIPAY_APP_PRIVATE_KEY": self.app.private_pem,
            "ALIPAY_PUBLIC_KEY": "" if certs else self.alipay.public_pem,
            "ALIPAY_APP_CERT": certs.app_cert if certs else "",
            "ALIPAY_PUBLIC_CERT": certs.alipay_cert if certs else "",
            "ALIPAY_ROOT_CERT": certs.root_chain if certs else "",
            "ALIPAY_GATEWAY": f"{url}/gateway.do",
        }


class FakeAlipay(FakeServer):
    def __init__(self, keys: AlipayKeys | None = None) -> None:
        super().__init__()
        self.keys = keys or AlipayKeys()
        self.trades: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.refunds_wait = False  # refunds taken with fund_change "N", settled later
        self.fee_rate = Decimal("0.006")
        self.forger = KeyPair.generate()
        self.notify_url = ""  # where development's notifications go (the request's, if any)

    # -- what happens at Alipay, driven by tests -------------------------------

    def visit(self, url: str) -> int:
        """The shopper opens the cashier URL the shop gave: the trade is created."""
        query = urlsplit(url).query
        return self.dispatch("GET", f"/gateway.do?{query}", {}, b"").status

    def pay(self, out_trade_no: str, *, total: str | None = None) -> dict[str, str]:
        """The shopper pays (``total``: for another amount); returns the notification."""
        with self.lock:
            trade = self.trades[out_trade_no]
            if total is not None:
                trade["total_amount"] = total
            trade.update(trade_status="TRADE_SUCCESS", send_pay_date=_now())
            return self.notification(trade)

    def refund_settle(self, out_request_no: str) -> None:
        with self.lock:
            self.refunds[out_request_no].update(refund_status="REFUND_SUCCESS", gmt=_now())

    def notification(self, trade: dict[str, Any], **extra: str) -> dict[str, str]:
        form = {
            "notify_time": _now(),
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "app_id": self.keys.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "sign_type": "RSA2",
            "trade_no": trade["trade_no"],
            "out_trade_no": trade["out_trade_no"],
            "trade_status": trade["trade_status"],
            "total_amount": trade["total_amount"],
            "receipt_amount": trade["total_amount"],
            "gmt_payment": trade.get("send_pay_date", ""),
            **extra,
        }
        form = {k: v for k, v in form.items() if v != ""}  # Alipay leaves out empty fields
        form["sign"] = sign(self.keys.alipay.key, signed_string(form, drop=("sign", "sign_type")))
        return form

    def control(self, parts: list[str]) -> Answer:
        try:
            if parts[0] == "pay":
                form = self.pay(parts[1])
                trade = self.trades[parts[1]]
            elif parts[0] == "refund":
                self.refund_settle(parts[1])
                refund = self.refunds[parts[1]]
                trade = self.trades[refund["out_trade_no"]]
                form = self.notification(trade, out_biz_no=parts[1])
            else:
                return Answer(404)
        except (KeyError, IndexError):
            return Answer(404)
        url = self.notify_url or str(trade.get("notify_url", ""))
        return self.deliver(url, data=form)

    # -- the gateway -----------------------------------------------------------

    def _signed_by_app(self, params: dict[str, str]) -> bool:
        certs = self.keys.certificates
        if certs is not None and (
            params.get("app_cert_sn") != certs.app_cert_sn
            or params.get("alipay_root_cert_sn") != certs.root_cert_sn
        ):
            return False  # certificate mode: the request names the certificates issued
        public = serialization.load_pem_public_key(self.keys.app.public_pem.encode())
        try:
            public.verify(  # type: ignore[union-attr, call-arg]
                base64.b64decode(params.get("sign", "")),
                signed_string(params, drop=("sign",)).encode(),
                padding.PKCS1v15(),  # type: ignore[arg-type]
                hashes.SHA256(),  # type: ignore[arg-type]
            )
        except (InvalidSignature, ValueError):
            return False
        return params.get("app_id") == self.keys.app_id

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes, *, forge: bool
    ) -> Answer:
        route = urlsplit(path)
        if route.path.startswith("/bill/"):
            return Answer(200, self._bill_zip(route.path.removeprefix("/bill/")[:10]))
        params = dict(parse_qsl(route.query, keep_blank_values=True))
        signed = self._signed_by_app(params)
        with self.lock:
            self.seen.append(Seen(method, path, headers, body, signed))
        name = params.get("method", "")
        rtype = name.replace(".", "_") + "_response"
        if not signed:
            error = {
                "code": "40002",
                "msg": "Invalid Arguments",
                "sub_code": "isv.invalid-signature",
            }
            return Answer(200, json.dumps({"error_response": error}).encode())
        biz = json.loads(params.get("biz_content") or "{}")
        with self.lock:
            if name in _CASHIER:
                self._open(biz, params.get("notify_url", ""))
                page = _CASHIER_PAGE.format(number=biz["out_trade_no"], amount=biz["total_amount"])
                return Answer(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
            result = self._route(name, biz)
        return self._signed(rtype, result, forge=forge)

    def _signed(self, rtype: str, result: dict[str, Any], *, forge: bool) -> Answer:
        inner = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        signature = sign(self.forger.key if forge else self.keys.alipay.key, inner)
        certs = self.keys.certificates
        cert_sn = f',"alipay_cert_sn":"{certs.alipay_cert_sn}"' if certs else ""
        text = f'{{"{rtype}":{inner}{cert_sn},"sign":"{signature}"}}'
        return Answer(200, text.encode(), {"Content-Type": "application/json;charset=utf-8"})

    def _open(self, biz: dict[str, Any], notify_url: str) -> None:
        number = biz["out_trade_no"]
        self.trades.setdefault(
            number,
            {
                "notify_url": notify_url,
                "out_trade_no": number,
                "trade_no": f"2026{secrets.randbits(48)}",
                "trade_status": "WAIT_BUYER_PAY",
                "total_amount": biz["total_amount"],
                "refunded": Decimal("0"),
            },
        )

    def _route(self, name: str, biz: dict[str, Any]) -> dict[str, Any]:
        ok = {"code": "10000", "msg": "Success"}
        if name == "alipay.data.dataservice.bill.downloadurl.query":
            return {**ok, "bill_download_url": f"{self.url}/bill/{biz['bill_date']}.zip"}
        trade = self.trades.get(str(biz.get("out_trade_no")))
        if trade is None:
            return _refused("ACQ.TRADE_NOT_EXIST", "交易不存在")
        public = {k: v for k, v in trade.items() if k not in ("refunded", "notify_url")}
        if name == "alipay.trade.query":
            return {**ok, **public, "buyer_logon_id": "sho***@example.com"}
        if name == "alipay.trade.close":
            if trade["trade_status"] != "WAIT_BUYER_PAY":
                return _refused("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            trade["trade_status"] = "TRADE_CLOSED"
            return {**ok, "out_trade_no": trade["out_trade_no"]}
        if name == "alipay.trade.refund":
            return self._refund(trade, biz, ok)
        if name == "alipay.trade.fastpay.refund.query":
            found = self.refunds.get(str(biz.get("out_request_no")))
            if found is None:
                return {**ok, "out_trade_no": trade["out_trade_no"]}  # none (yet)
            return {**ok, **{k: v for k, v in found.items() if k not in ("gmt", "fee_fen")}}
        return _refused("ACQ.INVALID_PARAMETER", "不支持的接口")

    def _refund(
        self, trade: dict[str, Any], biz: dict[str, Any], ok: dict[str, str]
    ) -> dict[str, Any]:
        number = str(biz.get("out_request_no") or "")
        if number in self.refunds:  # the same request again: the same refund, no money moves
            return {**ok, "out_trade_no": trade["out_trade_no"], "fund_change": "N"}
        if trade["trade_status"] not in ("TRADE_SUCCESS", "TRADE_CLOSED") or not trade.get(
            "send_pay_date"
        ):
            return _refused("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        amount = Decimal(str(biz["refund_amount"]))
        if trade["refunded"] + amount > Decimal(trade["total_amount"]):
            return _refused("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
        total_fen = int(Decimal(trade["total_amount"]) * 100)
        before = [
            (int(Decimal(r["refund_amount"]) * 100), r["fee_fen"])
            for r in self.refunds.values()
            if r["out_trade_no"] == trade["out_trade_no"]
        ]
        fee_fen = refund_fee_fen(total_fen, int(amount * 100), before, self.fee_rate)
        trade["refunded"] += amount
        if trade["refunded"] == Decimal(trade["total_amount"]):
            trade["trade_status"] = "TRADE_CLOSED"
        self.refunds[number] = {
            "out_trade_no": trade["out_trade_no"],
            "trade_no": trade["trade_no"],
            "out_request_no": number,
            "refund_amount": f"{amount:.2f}",
            "total_amount": trade["total_amount"],
            "fee_fen": fee_fen,  # the fee given back: in the bill, not in the answers
        }
        if not self.refunds_wait:
            self.refunds[number].update(refund_status="REFUND_SUCCESS", gmt=_now())
        fund_change = "N" if self.refunds_wait else "Y"
        return {
            **ok,
            "out_trade_no": trade["out_trade_no"],
            "fund_change": fund_change,
            "refund_fee": f"{amount:.2f}",
        }

    def _bill_zip(self, day: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(
                f"{self.keys.app_id}_{day}_业务明细.csv", alipay_bill(self, day).encode("gbk")
            )
            archive.writestr(
                f"{self.keys.app_id}_{day}_业务明细(汇总).csv", "#汇总\n".encode("gbk")
            )
        return buffer.getvalue()


def _refused(sub_code: str, message: str) -> dict[str, str]:
    return {"code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": message}

"""A local WeChat Pay API v3: create (JSAPI, H5, Native), query, close, refund, refund
query, platform certificates, trade bill; notifications signed and encrypted as WeChat
Pay sends them.

It checks each request's ``Authorization`` (WECHATPAY2-SHA256-RSA2048) with the
merchant's public key and answers 401 SIGN_ERROR when it does not verify; it signs its
answers with the platform key (``Wechatpay-Serial``: the platform certificate's serial).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shop.payments.fakes.base import Answer, FakeServer, KeyPair, Seen
from shop.payments.fakes.bills import fen_fee, refund_fee_fen, wechatpay_bill

CHINA = ZoneInfo("Asia/Shanghai")
_AUTH = re.compile(r'(\w+)="([^"]*)"')
_UNDONE = ("CLOSED", "ABNORMAL")  # refunds whose money went back to the trade


def sign(key: Any, message: str) -> str:
    signature = key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def aes_encrypt(api_v3_key: str, plaintext: str, associated_data: str) -> dict[str, str]:
    nonce = secrets.token_hex(6)
    data = AESGCM(api_v3_key.encode()).encrypt(
        nonce.encode(), plaintext.encode(), associated_data.encode()
    )
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "nonce": nonce,
        "associated_data": associated_data,
        "ciphertext": base64.b64encode(data).decode(),
    }


def _now() -> str:
    return datetime.now(CHINA).isoformat(timespec="seconds")


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


@dataclass
class WeChatPayKeys:
    """What a merchant holds (its key pair, its API v3 key) and what WeChat Pay holds (the
    platform key pair and certificate); made fresh for each fake."""

    mchid: str = "1900000109"
    appid: str = "wx8888888888888888"
    api_v3_key: str = field(default_factory=lambda: secrets.token_hex(16))
    merchant: KeyPair = field(default_factory=KeyPair.generate)
    merchant_serial: str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    platform: KeyPair = field(default_factory=KeyPair.generate)
    platform_serial: int = field(default_factory=lambda: secrets.randbits(64))

    @property
    def platform_serial_hex(self) -> str:
        return format(self.platform_serial, "X")

    def shop_settings(self, url: str, cert_dir: str) -> dict[str, Any]:
        """The shop's settings for this merchant, talking to the fake at ``url``."""
        return {
            "WECHATPAY_MCHID": self.mchid,
            "WECHATPAY_APPID": self.appid,
            "WECHATPAY_API_V3_KEY": self.api_v3_key,
            "WECHATPAY_CERT_SERIAL_NO": self.merchant_serial,
            "WECHATPAY_PRIVATE_KEY": self.merchant.private_pem,
            "WECHATPAY_PUBLIC_KEY": "",
            "WECHATPAY_PUBLIC_KEY_ID": "",
            "WECHATPAY_CERT_DIR": cert_dir,
            "WECHATPAY_API_BASE": url,
        }


class FakeWeChatPay(FakeServer):
    def __init__(self, keys: WeChatPayKeys | None = None) -> None:
        super().__init__()
        self.keys = keys or WeChatPayKeys()
        self.certificate = self.keys.platform.certificate(self.keys.platform_serial, "Tenpay")
        self.trades: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.refund_status = "PROCESSING"  # WeChat Pay refunds settle later
        self.fee_rate = Decimal("0.006")
        self.forger = KeyPair.generate()
        self.notify_url = ""  # where development's notifications go (the request's, if any)
        # Set: the platform signs as with its public key of that id (WeChat Pay's newer
        # merchants), not as its certificate.
        self.public_key_id = ""

    # -- what happens at WeChat Pay, driven by tests -----------------------------

    def pay(self, out_trade_no: str, *, total_fen: int | None = None) -> dict[str, Any]:
        """The shopper pays the trade (for ``total_fen`` when not what was asked); returns
        the notification's resource."""
        with self.lock:
            trade = self.trades[out_trade_no]
            if total_fen is not None:
                trade["amount"]["total"] = trade["amount"]["payer_total"] = total_fen
            trade.update(trade_state="SUCCESS", trade_state_desc="支付成功", success_time=_now())
            trade["transaction_id"] = trade.get("transaction_id") or f"42000{secrets.randbits(40)}"
            return dict(trade)

    def decline(self, out_trade_no: str) -> dict[str, Any]:
        with self.lock:
            trade = self.trades[out_trade_no]
            trade.update(trade_state="PAYERROR", trade_state_desc="支付失败")
            return dict(trade)

    def refund_settle(self, out_refund_no: str, status: str = "SUCCESS") -> dict[str, Any]:
        """A refund WeChat Pay held as PROCESSING succeeds, or ends CLOSED or ABNORMAL (the
        money goes back to the trade)."""
        with self.lock:
            refund = self.refunds[out_refund_no]
            refund["status"] = status
            if status == "SUCCESS":
                refund["success_time"] = _now()
            else:
                self.trades[refund["out_trade_no"]]["refunded"] -= refund["amount"]["refund"]
            return dict(refund)

    def notification(
        self, event_type: str, resource: dict[str, Any], *, event_id: str = "", at: int = 0
    ) -> tuple[dict[str, str], bytes]:
        """A notification as WeChat Pay posts it: the headers (as Django's META) and the
        body; ``at``: its signed timestamp (now when 0)."""
        original = "refund" if event_type.startswith("REFUND") else "transaction"
        body = json.dumps(
            {
                "id": event_id or str(uuid.uuid4()),
                "create_time": _now(),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": "支付成功" if original == "transaction" else "退款状态变更",
                "resource": {
                    "original_type": original,
                    **aes_encrypt(self.keys.api_v3_key, json.dumps(resource), original),
                },
            },
            ensure_ascii=False,
        ).encode()
        headers = self._signature_headers(body, at=at)
        return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}, body

    def _signature_headers(
        self, body: bytes, *, at: int = 0, forge: bool = False
    ) -> dict[str, str]:
        timestamp, nonce = str(at or int(time.time())), secrets.token_hex(16)
        key = self.forger.key if forge else self.keys.platform.key
        return {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": sign(key, f"{timestamp}\n{nonce}\n{body.decode()}\n"),
            "Wechatpay-Serial": self.public_key_id or self.keys.platform_serial_hex,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def control(self, parts: list[str]) -> Answer:
        try:
            if parts[0] == "pay":
                event, resource = "TRANSACTION.SUCCESS", self.pay(parts[1])
            elif parts[0] == "refund":
                status = parts[2] if len(parts) > 2 else "SUCCESS"
                event, resource = f"REFUND.{status}", self.refund_settle(parts[1], status)
            else:
                return Answer(404)
        except (KeyError, IndexError):
            return Answer(404)
        resource = {k: v for k, v in resource.items() if k not in ("refunded", "notify_url")}
        meta, body = self.notification(event, resource)
        headers = {k[5:].replace("_", "-").title(): v for k, v in meta.items()}
        headers["Content-Type"] = "application/json"
        trade = self.trades[str(resource["out_trade_no"])]
        url = self.notify_url or str(trade.get("notify_url", ""))
        return self.deliver(url, data=body, headers=headers)

    # -- the API ---------------------------------------------------------------

    def _signed_by_merchant(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> bool:
        auth = headers.get("authorization", "")
        if not auth.startswith("WECHATPAY2-SHA256-RSA2048 "):
            return False
        parts = dict(_AUTH.findall(auth))
        if (
            parts.get("mchid") != self.keys.mchid
            or parts.get("serial_no") != self.keys.merchant_serial
        ):
            return False
        stamp, nonce = parts.get("timestamp"), parts.get("nonce_str")
        message = f"{method}\n{path}\n{stamp}\n{nonce}\n{body.decode()}\n"
        public = serialization.load_pem_public_key(self.keys.merchant.public_pem.encode())
        try:
            public.verify(  # type: ignore[union-attr, call-arg]
                base64.b64decode(parts.get("signature", "")),
                message.encode(),
                padding.PKCS1v15(),  # type: ignore[arg-type]
                hashes.SHA256(),  # type: ignore[arg-type]
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes, *, forge: bool
    ) -> Answer:
        signed = self._signed_by_merchant(method, path, headers, body)
        with self.lock:
            self.seen.append(Seen(method, path, headers, body, signed))
        if path.startswith("/v3/billdownload/"):
            token = parse_qs(urlsplit(path).query).get("token", [""])[0]
            return Answer(
                200,
                self._bill_file(token),
                {"Content-Type": "application/octet-stream"},
            )
        if not signed:
            return self._json(401, {"code": "SIGN_ERROR", "message": "签名错误"}, forge=forge)
        try:
            status, payload = self._route(method, path, json.loads(body) if body else {})
        except KeyError:
            status, payload = 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
        return self._json(status, payload, forge=forge)

    def _json(self, status: int, payload: dict[str, Any] | None, *, forge: bool) -> Answer:
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        headers = {"Content-Type": "application/json", **self._signature_headers(body, forge=forge)}
        return Answer(status, body, headers)

    def _route(
        self, method: str, path: str, data: dict[str, Any]
    ) -> tuple[int, dict[str, Any] | None]:
        route = urlsplit(path).path
        if (
            method == "POST"
            and route.startswith("/v3/pay/transactions/")
            and "out-trade-no" not in route
        ):
            return self._create(route.rsplit("/", 1)[-1], data)
        if match := re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)/close", route):
            trade = self.trades[match.group(1)]
            if trade["trade_state"] in ("SUCCESS", "REFUND"):
                return 400, {"code": "ORDERPAID", "message": "订单已支付"}
            trade["trade_state"] = "CLOSED"
            return 204, None
        if match := re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)", route):
            trade = dict(self.trades[match.group(1)])
            trade.pop("refunded", None)
            trade.pop("notify_url", None)
            return 200, trade
        if method == "POST" and route == "/v3/refund/domestic/refunds":
            return self._refund(data)
        if match := re.fullmatch(r"/v3/refund/domestic/refunds/([^/]+)", route):
            return 200, self.refunds[match.group(1)]
        if route == "/v3/certificates":
            return 200, {"data": [self._certificate_entry()]}
        if route == "/v3/bill/tradebill":
            day = parse_qs(urlsplit(path).query).get("bill_date", [""])[0]
            content = self._bill_file(day)
            return 200, {
                "hash_type": "SHA1",
                "hash_value": hashlib.sha1(content, usedforsecurity=False).hexdigest(),
                "download_url": f"{self.url}/v3/billdownload/file?token={day}",
            }
        raise KeyError(route)

    def _create(self, kind: str, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        number = data["out_trade_no"]
        if kind == "jsapi" and not (data.get("payer") or {}).get("openid"):
            return 400, {"code": "PARAM_ERROR", "message": "缺少参数 payer.openid"}
        existing = self.trades.get(number)
        if existing is not None and (
            existing["trade_type"] != kind.upper()
            or existing["amount"]["total"] != data["amount"]["total"]
        ):
            return 400, {"code": "INVALID_REQUEST", "message": "商户订单号重复"}
        if existing is None:
            existing = self.trades[number] = {
                "appid": data["appid"],
                "mchid": data["mchid"],
                "out_trade_no": number,
                "trade_type": kind.upper(),
                "trade_state": "NOTPAY",
                "trade_state_desc": "未支付",
                "attach": data.get("attach", ""),
                "refunded": 0,
                "amount": {
                    "total": data["amount"]["total"],
                    "currency": data["amount"].get("currency", "CNY"),
                },
                "prepay_id": f"wx{secrets.token_hex(14)}",
                "notify_url": data.get("notify_url", ""),
            }
        if kind == "h5":
            return 200, {
                "h5_url": f"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={existing['prepay_id']}"
            }
        if kind == "native":
            return 200, {"code_url": f"weixin://wxpay/bizpayurl?pr={existing['prepay_id'][-7:]}"}
        return 200, {"prepay_id": existing["prepay_id"]}

    def _refund(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        number = data["out_refund_no"]
        if number in self.refunds:
            return 200, self.refunds[number]
        trade = self.trades[data["out_trade_no"]]
        if trade["trade_state"] not in ("SUCCESS", "REFUND"):
            return 403, {"code": "TRADE_ERROR", "message": "订单未支付"}
        fen = int(data["amount"]["refund"])
        if fen + trade["refunded"] > trade["amount"]["total"]:
            return 403, {"code": "NOT_ENOUGH", "message": "退款金额超过订单可退金额"}
        before = [
            (r["amount"]["refund"], r["amount"]["refund_fee"])
            for r in self.refunds.values()
            if r["out_trade_no"] == trade["out_trade_no"] and r["status"] not in _UNDONE
        ]
        returned = refund_fee_fen(trade["amount"]["total"], fen, before, self.fee_rate)
        trade["refunded"] += fen
        trade["trade_state"] = "REFUND"
        self.refunds[number] = refund = {
            "refund_id": f"50000{secrets.randbits(40)}",
            "out_refund_no": number,
            "transaction_id": trade.get("transaction_id", ""),
            "out_trade_no": trade["out_trade_no"],
            "channel": "ORIGINAL",
            "status": self.refund_status,
            "create_time": _now(),
            "amount": {
                "refund": fen,
                "total": trade["amount"]["total"],
                "currency": "CNY",
                "payer_refund": fen,
                "refund_fee": returned,  # 手续费退款金额
            },
        }
        if self.refund_status == "SUCCESS":
            refund["success_time"] = _now()
        return 200, refund

    def _certificate_entry(self) -> dict[str, Any]:
        return {
            "serial_no": self.keys.platform_serial_hex,
            "effective_time": _now(),
            "expire_time": "2099-12-31T00:00:00+08:00",
            "encrypt_certificate": aes_encrypt(
                self.keys.api_v3_key, self.certificate, "certificate"
            ),
        }

    def fee(self, fen: int) -> int:
        return fen_fee(fen, self.fee_rate)

    def bill(self, day: str) -> str:
        return wechatpay_bill(self, day)

    def _bill_file(self, day: str) -> bytes:
        """The day's bill as the file WeChat Pay serves: the same bytes each time it is asked
        (gzip's header carries no time), so the hash stated first is the hash downloaded."""
        return gzip.compress(self.bill(day).encode(), mtime=0)

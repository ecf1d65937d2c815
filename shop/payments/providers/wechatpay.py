"""WeChat Pay API v3 (direct merchant) through ``wechatpayv3``.

A payment is one trade whose ``out_trade_no`` is ours (``<prefix><payment id>``), so a
create sent again after a timeout finds the same trade, and a refund is one whose
``out_refund_no`` is ours (``<prefix>R<refund id>``). Every request is signed with the
merchant's private key and every answer's signature is checked with the platform's
public key or certificate (by the library); an answer that fails the check is treated
as no answer. Amounts go as integer fen.

Scenes: ``jsapi`` (inside WeChat and the newspaper's app: prepay parameters signed for
the page's ``WeixinJSBridge``), ``h5`` (a mobile browser: a URL to send the shopper to)
and ``native`` (a desktop page: the QR code string).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.core import Core

from shop.core.money import ZERO, from_fen, to_fen
from shop.payments.errors import (
    PaymentNotFound,
    PaymentProviderRejected,
    PaymentProviderUnavailable,
)
from shop.payments.models import Payment, PaymentProvider, PaymentStatus, Refund, RefundStatus
from shop.payments.providers.base import (
    PaymentGateway,
    PaymentOptions,
    ProviderPayment,
    ProviderPaymentState,
    ProviderRefundState,
)
from shop.payments.providers.china import (
    fee_by_rate,
    pem_text,
    refund_id_of,
    refund_number,
    refund_numbers_of,
    shop_refunded,
    trade_number,
)

logger = logging.getLogger(__name__)

SCENES = {
    "jsapi": WeChatPayType.JSAPI,
    "h5": WeChatPayType.H5,
    "native": WeChatPayType.NATIVE,
}
DEFAULT_SCENE = "native"

_TRADE_STATUS = {
    "SUCCESS": PaymentStatus.SUCCEEDED,
    "REFUND": PaymentStatus.SUCCEEDED,  # paid, then (partly) refunded
    "NOTPAY": PaymentStatus.PENDING,
    "USERPAYING": PaymentStatus.PENDING,
    "CLOSED": PaymentStatus.CANCELLED,
    "REVOKED": PaymentStatus.CANCELLED,
    "PAYERROR": PaymentStatus.FAILED,
}
_REFUND_STATUS = {
    "SUCCESS": RefundStatus.SUCCEEDED,
    "PROCESSING": RefundStatus.PENDING,
    "CLOSED": RefundStatus.FAILED,
    "ABNORMAL": RefundStatus.FAILED,  # the shopper's card was closed: staff pay by hand
}
_NEED_OPENID = _("A WeChat Pay JSAPI payment needs the payer's openid.")


class _ShopCore(Core):
    """The library's client, talking to ``gateway`` from the start: in certificate mode
    the platform certificates are downloaded while it is built."""

    def __init__(self, *, gateway: str, **kwargs: Any) -> None:
        self._shop_gateway = gateway
        super().__init__(**kwargs)
        self._gate_way = gateway

    def _init_certificates(self) -> None:
        self._gate_way = self._shop_gateway
        super()._init_certificates()


@lru_cache(maxsize=8)
def _client(config: tuple[str, ...]) -> WeChatPay:
    mchid, appid, key, serial, private, public, public_id, cert_dir, notify, base, timeout = config
    core = _ShopCore(
        gateway=base.rstrip("/"),
        mchid=mchid,
        cert_serial_no=serial,
        private_key=private,
        apiv3_key=key,
        cert_dir=cert_dir or None,
        logger=None,
        proxy=None,
        timeout=int(timeout),
        public_key=public or None,
        public_key_id=public_id or None,
    )
    # The library's WeChatPay builds its own Core with the real gateway; ours replaces it
    # (the attributes below are all WeChatPay.__init__ sets).
    client = WeChatPay.__new__(WeChatPay)
    client._type = WeChatPayType.NATIVE
    client._mchid = mchid
    client._appid = appid
    client._notify_url = notify
    client._partner_mode = False
    client._core = core
    return client


def wechatpay_client() -> WeChatPay:
    """The client for the current settings (built once per configuration: building it in
    certificate mode downloads the platform certificates)."""
    s = settings
    try:
        with wechatpay_errors():
            return _client(
                (
                    s.WECHATPAY_MCHID,
                    s.WECHATPAY_APPID,
                    s.WECHATPAY_API_V3_KEY,
                    s.WECHATPAY_CERT_SERIAL_NO,
                    pem_text(s.WECHATPAY_PRIVATE_KEY),
                    pem_text(s.WECHATPAY_PUBLIC_KEY),
                    s.WECHATPAY_PUBLIC_KEY_ID,
                    s.WECHATPAY_CERT_DIR,
                    s.WECHATPAY_NOTIFY_URL,
                    s.WECHATPAY_API_BASE,
                    str(s.WECHATPAY_TIMEOUT_SECONDS),
                )
            )
    except PaymentProviderRejected as exc:
        raise PaymentProviderUnavailable() from exc


@contextmanager
def wechatpay_errors() -> Iterator[None]:
    """The library's failures in the shop's terms. It raises a bare ``Exception`` when an
    answer's signature does not verify: that answer is not WeChat Pay's, so the outcome
    is unknown, as when nothing answered."""
    try:
        yield
    except requests.RequestException as exc:
        logger.warning("wechatpay unavailable: %s", exc)
        raise PaymentProviderUnavailable() from exc
    except (PaymentProviderUnavailable, PaymentProviderRejected, PaymentNotFound):
        raise
    except Exception as exc:
        logger.error("wechatpay answer refused: %s", exc)
        raise PaymentProviderUnavailable() from exc


def _answer(code: int, message: Any, *, not_found: bool = False) -> dict[str, Any]:
    """The JSON of a 2xx answer; 5xx is an unknown outcome, 4xx a refusal."""
    text = message.decode() if isinstance(message, bytes) else str(message or "")
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = {}
    if 200 <= code < 300:
        return body if isinstance(body, dict) else {}
    error = str(body.get("code", "")) if isinstance(body, dict) else ""
    if code >= 500 or code == 429 or error in ("SYSTEM_ERROR", "FREQUENCY_LIMITED"):
        logger.warning("wechatpay failed: %s %s", code, text[:200])
        raise PaymentProviderUnavailable()
    if not_found and (code == 404 or error in ("ORDER_NOT_EXIST", "RESOURCE_NOT_EXISTS")):
        raise PaymentNotFound()
    logger.error("wechatpay refused: %s %s", code, text[:200])
    raise PaymentProviderRejected()


def jsapi_params(client: WeChatPay, appid: str, prepay_id: str) -> dict[str, str]:
    """What the page hands to ``WeixinJSBridge.invoke('getBrandWCPayRequest', ...)``,
    signed with the merchant's key as WeChat Pay asks."""
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(16)
    package = f"prepay_id={prepay_id}"
    signature = client.sign([appid, timestamp, nonce, package])
    return {
        "appId": appid,
        "timeStamp": timestamp,
        "nonceStr": nonce,
        "package": package,
        "signType": "RSA",
        "paySign": signature,
    }


class WeChatPayGateway(PaymentGateway):
    name = "wechatpay"

    def __init__(self, client: WeChatPay | None = None) -> None:
        self.client = client or wechatpay_client()
        self.prefix = settings.WECHATPAY_TRADE_PREFIX

    def create_payment(
        self, payment: Payment, options: PaymentOptions | None = None
    ) -> ProviderPayment:
        options = options or PaymentOptions()
        scene = options.scene or DEFAULT_SCENE
        if scene not in SCENES:
            raise PaymentProviderRejected(_("WeChat Pay does not offer this way of paying."))
        if scene == "jsapi" and not options.openid:
            raise PaymentProviderRejected(_NEED_OPENID)
        reference = trade_number(self.prefix, payment.pk)
        extra: dict[str, Any] = {}
        if scene == "jsapi":
            extra["payer"] = {"openid": options.openid}
        if scene == "h5":
            extra["scene_info"] = {
                "payer_client_ip": options.client_ip or "127.0.0.1",
                "h5_info": {"type": "Wap"},
            }
        with wechatpay_errors():
            code, message = self.client.pay(
                description=f"Order {payment.order.number}",
                out_trade_no=reference,
                amount={"total": to_fen(payment.amount), "currency": payment.currency},
                attach=str(payment.pk),
                pay_type=SCENES[scene],
                **extra,
            )
        body = _answer(code, message)
        return ProviderPayment(
            reference=reference, client_secret="", action=self._action(scene, body)
        )

    def _action(self, scene: str, body: dict[str, Any]) -> dict[str, Any]:
        if scene == "jsapi":
            prepay_id = str(body.get("prepay_id") or "")
            if not prepay_id:
                raise PaymentProviderUnavailable()
            params = jsapi_params(self.client, settings.WECHATPAY_APPID, prepay_id)
            return {"scene": scene, "type": "jsapi", "params": params}
        if scene == "h5":
            return {"scene": scene, "type": "redirect", "url": str(body.get("h5_url") or "")}
        return {"scene": scene, "type": "qr_code", "code_url": str(body.get("code_url") or "")}

    def retrieve(self, reference: str) -> ProviderPaymentState:
        with wechatpay_errors():
            code, message = self.client.query(out_trade_no=reference)
        return self._payment_state(_answer(code, message, not_found=True), reference)

    def _payment_state(self, body: dict[str, Any], reference: str) -> ProviderPaymentState:
        status = _TRADE_STATUS.get(str(body.get("trade_state")), PaymentStatus.PENDING)
        amount_info = body.get("amount") or {}
        amount = from_fen(int(amount_info.get("total") or 0))
        succeeded = status == PaymentStatus.SUCCEEDED
        return ProviderPaymentState(
            reference=str(body.get("out_trade_no") or reference),
            status=status,
            amount=amount,
            currency=str(amount_info.get("currency") or "CNY").upper(),
            fee=fee_by_rate(amount, settings.WECHATPAY_FEE_RATE) if succeeded else ZERO,
            amount_refunded=shop_refunded(PaymentProvider.WECHATPAY, reference),
            failure_code="payerror" if status == PaymentStatus.FAILED else "",
            failure_message=str(body.get("trade_state_desc") or "")[:255]
            if status == PaymentStatus.FAILED
            else "",
        )

    def cancel_payment(self, payment: Payment) -> ProviderPaymentState:
        with wechatpay_errors():
            code, message = self.client.close(out_trade_no=payment.provider_reference)
        if not 200 <= code < 300:
            # ORDERPAID and the like: what the trade is now is the answer.
            with suppress(PaymentProviderRejected):
                _answer(code, message)
        return self.retrieve(payment.provider_reference)

    def refund(self, payment: Payment, refund: Refund) -> ProviderRefundState:
        captured = payment.confirmed_amount or payment.amount
        with wechatpay_errors():
            code, message = self.client.refund(
                out_refund_no=refund_number(self.prefix, refund.pk),
                out_trade_no=payment.provider_reference,
                amount={
                    "refund": to_fen(refund.amount),
                    "total": to_fen(captured),
                    "currency": refund.currency,
                },
                reason=(refund.reason or "")[:80] or None,
            )
        return self._refund_state(_answer(code, message))

    def retrieve_refund(self, reference: str) -> ProviderRefundState:
        with wechatpay_errors():
            code, message = self.client.query_refund(out_refund_no=reference)
        return self._refund_state(_answer(code, message, not_found=True))

    def refunds_list(self, payment_reference: str) -> list[ProviderRefundState]:
        return [
            self.retrieve_refund(number)
            for number in refund_numbers_of(PaymentProvider.WECHATPAY, payment_reference)
        ]

    def _refund_state(self, body: dict[str, Any]) -> ProviderRefundState:
        number = str(body.get("out_refund_no") or "")
        status = _REFUND_STATUS.get(str(body.get("status")), RefundStatus.PENDING)
        amount_info = body.get("amount") or {}
        fee = amount_info.get("refund_fee")  # 手续费退款金额, in fen, when WeChat Pay says
        return ProviderRefundState(
            reference=number,
            status=status,
            fee=from_fen(int(fee)) if isinstance(fee, int) and fee >= 0 else None,
            amount=from_fen(int(amount_info.get("refund") or 0)),
            payment_reference=str(body.get("out_trade_no") or ""),
            refund_id=refund_id_of(self.prefix, number),
            failure_code=f"wechatpay_{str(body.get('status')).lower()}"
            if status == RefundStatus.FAILED
            else "",
        )

    def trade_bill(self, bill_date: str) -> bytes:
        """The day's trade bill (all trades and refunds), as the CSV WeChat Pay writes; its
        SHA-1 is checked against the one in the signed answer that gave its address."""
        with wechatpay_errors():
            code, message = self.client.trade_bill(bill_date=bill_date)
            body = _answer(code, message)
            url = str(body.get("download_url") or "")
            if not url:
                raise PaymentProviderUnavailable()
            code, content = self.client.download_bill(url)
        raw = content if isinstance(content, bytes) else str(content).encode()
        if not 200 <= code < 300:
            _answer(code, raw)
        if (
            hashlib.sha1(raw, usedforsecurity=False).hexdigest()
            != str(body.get("hash_value") or "").lower()
        ):
            logger.error("wechatpay bill of %s: its hash does not match", bill_date)
            raise PaymentProviderUnavailable()
        return gzip.decompress(raw)

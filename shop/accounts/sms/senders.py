"""Who carries a one-time code to a phone: ``SMS_SENDER`` "console" (the embedded default:
the message is logged and printed), "aliyun" (Alibaba Cloud SMS, dysmsapi SendSms,
signed with the account's AccessKey as its RPC API demands) or "tencent" (Tencent Cloud
SMS, shop/accounts/sms/tencent.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import sys
import uuid
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils import timezone

from shop.accounts.errors import SmsNotSent
from shop.accounts.sms.refusals import sms_refusal
from shop.accounts.sms.tencent import TencentSender

logger = logging.getLogger(__name__)


class SmsSender(Protocol):
    def send_code(self, *, phone: str, code: str) -> None: ...


class ConsoleSender:
    def send_code(self, *, phone: str, code: str) -> None:
        print(f"[SMS to {phone}] your sign-in code is {code}", file=sys.stdout, flush=True)
        logger.info("SMS code sent to the console for %s", phone[-4:])


def _percent(value: str) -> str:
    return quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """Alibaba Cloud's RPC signature (version 1.0, HMAC-SHA1) of a request's parameters."""
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# Alibaba's per-number limits (its flow control: a minute, an hour; a day) and numbers it
# will not text.
ALIYUN_NUMBER_LIMITS: dict[str, int | None] = {
    "isv.BUSINESS_LIMIT_CONTROL": 3600,
    "isv.DAY_LIMIT_CONTROL": None,
}
ALIYUN_NUMBER_REFUSED = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT"}


class AliyunSender:
    def send_code(self, *, phone: str, code: str) -> None:
        params = {
            "AccessKeyId": settings.SMS_ALIYUN_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": settings.SMS_ALIYUN_REGION,
            "SignName": settings.SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": settings.SMS_TEMPLATE_CODE,
            "TemplateParam": json.dumps({"code": code}),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, settings.SMS_ALIYUN_ACCESS_KEY_SECRET)
        try:
            response = requests.get(
                settings.SMS_ALIYUN_ENDPOINT, params=params, timeout=settings.SMS_TIMEOUT_SECONDS
            )
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            logger.warning("Aliyun SMS unreachable: %s", exc)
            raise SmsNotSent() from exc
        if response.status_code != 200 or body.get("Code") != "OK":
            logger.warning("Aliyun SMS refused: %s %s", response.status_code, body.get("Code"))
            if response.status_code != 200:
                raise SmsNotSent()
            raise sms_refusal(
                str(body.get("Code")),
                limits=ALIYUN_NUMBER_LIMITS,
                refused=ALIYUN_NUMBER_REFUSED,
                now=timezone.now(),
            )


SENDERS: dict[str, type] = {
    "console": ConsoleSender,
    "aliyun": AliyunSender,
    "tencent": TencentSender,
}


def sms_sender() -> SmsSender:
    return SENDERS[settings.SMS_SENDER]()

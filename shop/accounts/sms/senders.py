"""Who carries a one-time code to a phone: ``SMS_SENDER`` "console" (the embedded default:
the message is logged and printed) or "aliyun" (Alibaba Cloud SMS, dysmsapi SendSms,
signed with the account's AccessKey as its RPC API demands)."""

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

from shop.accounts.errors import SmsNotSent

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
            raise SmsNotSent()


SENDERS: dict[str, type] = {"console": ConsoleSender, "aliyun": AliyunSender}


def sms_sender() -> SmsSender:
    return SENDERS[settings.SMS_SENDER]()

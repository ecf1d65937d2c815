"""Tencent Cloud SMS (SendSms, API version 2021-01-11, signed TC3-HMAC-SHA256) through
Tencent's own SDK. A merchant gives an API key pair (SecretId/SecretKey), the SMS
application's SdkAppId, an approved signature name and a verification-code template
whose first parameter ``{1}`` is the code.

Tencent answers a request it took with one status per number: the number's own limits
(so many messages in 30 seconds, an hour, a day) reach the shopper as 429
``sms_number_limited``, a number that cannot receive texts as 400 ``sms_number_refused``;
anything else (the provider down, slow or refusing the shop's key) is 503 ``sms_not_sent``."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils import timezone
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from shop.accounts.errors import SmsNotSent
from shop.accounts.sms.refusals import sms_refusal

logger = logging.getLogger(__name__)

# Tencent's per-number limits, and how long each lasts (a day's ends at midnight in China).
NUMBER_LIMITS: dict[str, int | None] = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": 30,
    "LimitExceeded.PhoneNumberOneHourLimit": 3600,
    "LimitExceeded.PhoneNumberDailyLimit": None,
    "LimitExceeded.PhoneNumberSameContentDailyLimit": None,
    "LimitExceeded.DeliveryFrequencyLimit": 3600,
}
NUMBER_REFUSED = {
    "InvalidParameterValue.IncorrectPhoneNumber",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.PhoneNumberOnBlacklist",
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
}


def tencent_client() -> sms_client.SmsClient:
    """The SDK's client with the shop's key; ``SMS_TENCENT_ENDPOINT`` may carry a scheme
    (``http://127.0.0.1:8162`` for a local stand-in), otherwise https."""
    endpoint = settings.SMS_TENCENT_ENDPOINT
    scheme, _, host = endpoint.rpartition("://")
    http = HttpProfile(
        protocol=scheme or "https",
        endpoint=host.rstrip("/"),
        reqTimeout=settings.SMS_TIMEOUT_SECONDS,
    )
    profile = ClientProfile(signMethod="TC3-HMAC-SHA256", httpProfile=http)
    key = credential.Credential(settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY)
    return sms_client.SmsClient(key, settings.SMS_TENCENT_REGION, profile)


def refusal_for(code: str) -> Exception:
    return sms_refusal(code, limits=NUMBER_LIMITS, refused=NUMBER_REFUSED, now=timezone.now())


class TencentSender:
    def send_code(self, *, phone: str, code: str) -> None:
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = settings.SMS_TENCENT_SDK_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = settings.SMS_TEMPLATE_CODE
        request.TemplateParamSet = [code]
        try:
            answer: Any = tencent_client().SendSms(request)
        except TencentCloudSDKException as exc:
            # Unreachable, too slow, a 5xx, or the request refused as a whole: for a
            # number's limit the shopper is told as above; a wrong key, the merchant's
            # balance or quota is nothing the shopper can change.
            logger.warning("Tencent Cloud SMS failed: %s", exc.get_code())
            if exc.get_code() in NUMBER_LIMITS or exc.get_code() in NUMBER_REFUSED:
                raise refusal_for(exc.get_code()) from exc
            raise SmsNotSent() from exc
        statuses = answer.SendStatusSet or []
        status = statuses[0].Code if statuses else "NoStatus"
        if status != "Ok":
            logger.warning("Tencent Cloud SMS refused the number ending %s: %s", phone[-4:], status)
            raise refusal_for(status)

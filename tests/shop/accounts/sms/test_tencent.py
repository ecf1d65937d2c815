"""Tencent Cloud SMS through its SDK, against a local fake that checks the TC3-HMAC-SHA256
signature with a key made here."""

import secrets
from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from shop.accounts.models import SmsCode
from shop.accounts.sms.refusals import seconds_to_midnight_in_china
from tests.shop.accounts.sms.fake_tencent import FakeTencentSms, tc3_signature

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
SECRET_ID = "AKIDtest"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tencent(settings):
    secret_key = secrets.token_urlsafe(24)
    settings.SMS_SENDER = "tencent"
    settings.SMS_TENCENT_SECRET_ID = SECRET_ID
    settings.SMS_TENCENT_SECRET_KEY = secret_key
    settings.SMS_TENCENT_SDK_APP_ID = "1400000001"
    settings.SMS_SIGN_NAME = "恭王府文创"
    settings.SMS_TEMPLATE_CODE = "2000001"
    settings.SMS_TIMEOUT_SECONDS = 1
    with FakeTencentSms(secret_id=SECRET_ID, secret_key=secret_key) as fake:
        settings.SMS_TENCENT_ENDPOINT = fake.endpoint
        yield fake


def ask(api_client, phone=PHONE):
    return api_client.post("/api/v1/auth/sms-code/", {"phone": phone}, format="json")


def test_a_code_is_sent_in_a_signed_request_and_signs_in(api_client, tencent):
    answer = ask(api_client, f"+86 {PHONE}")
    assert answer.status_code == 202, answer.json()
    [sent] = tencent.sent
    assert sent["PhoneNumberSet"] == [f"+86{PHONE}"]
    assert (sent["SmsSdkAppId"], sent["SignName"], sent["TemplateId"]) == (
        "1400000001",
        "恭王府文创",
        "2000001",
    )
    [code] = sent["TemplateParamSet"]
    assert len(code) == 6 and code.isdigit()
    assert code not in SmsCode.objects.get().digest


@pytest.mark.parametrize(
    ("provider_code", "status", "shop_code"),
    [
        ("LimitExceeded.PhoneNumberDailyLimit", 429, "sms_number_limited"),
        ("LimitExceeded.PhoneNumberThirtySecondLimit", 429, "sms_number_limited"),
        ("FailedOperation.PhoneNumberInBlacklist", 400, "sms_number_refused"),
        ("FailedOperation.InsufficientBalanceInSmsPackage", 503, "sms_not_sent"),
    ],
)
def test_a_number_the_provider_refuses(api_client, tencent, provider_code, status, shop_code):
    tencent.status = provider_code
    refused = ask(api_client)
    assert refused.status_code == status
    body = refused.json()
    assert body["code"] == shop_code
    assert body["message"]
    if status == 429:
        assert 0 < int(refused["Retry-After"]) <= 86400
        assert body["retry_after"] == int(refused["Retry-After"])
    assert tencent.sent == []


def test_the_daily_limit_waits_until_midnight_in_china():
    assert seconds_to_midnight_in_china(datetime(2026, 12, 7, 15, 0, tzinfo=UTC)) == 3600 * 1
    assert seconds_to_midnight_in_china(datetime(2026, 12, 7, 16, 0, tzinfo=UTC)) == 3600 * 24


def test_a_limit_on_the_whole_request_reaches_the_shopper_too(api_client, tencent):
    tencent.error = "LimitExceeded.PhoneNumberOneHourLimit"
    refused = ask(api_client)
    assert (refused.status_code, refused.json()["code"]) == (429, "sms_number_limited")
    assert refused["Retry-After"] == "3600"


@pytest.mark.parametrize("failure", ["wrong_key", "server_error", "hang", "auth"])
def test_the_provider_failing_is_a_503(api_client, settings, tencent, failure):
    if failure == "wrong_key":
        settings.SMS_TENCENT_SECRET_KEY = "a-key-tencent-never-gave"
    elif failure == "auth":
        tencent.error = "AuthFailure.SecretIdNotFound"
    else:
        setattr(tencent, failure, True)
        settings.SMS_TIMEOUT_SECONDS = 0.3
    refused = ask(api_client)
    assert refused.status_code == 503
    assert refused.json()["code"] == "sms_not_sent"
    assert tencent.sent == []


def test_the_fake_refuses_a_forged_signature(tencent):
    """The fake's own check, so the tests above prove the shop signs correctly."""
    headers = {
        "authorization": f"TC3-HMAC-SHA256 Credential={SECRET_ID}/1970-01-01/sms/tc3_request, "
        "SignedHeaders=content-type;host, Signature=00",
        "content-type": "application/json",
        "host": "127.0.0.1",
        "x-tc-timestamp": "0",
        "x-tc-action": "SendSms",
        "x-tc-version": "2021-01-11",
    }
    assert tencent.signature_error(headers, b"{}") == "AuthFailure.SignatureFailure"
    headers["authorization"] = headers["authorization"].replace(
        "Signature=00",
        "Signature="
        + tc3_signature(
            secret_key=tencent.secret_key,
            method="POST",
            headers=headers,
            signed="content-type;host",
            body=b"{}",
            ts=0,
        ),
    )
    assert tencent.signature_error(headers, b"{}") == ""

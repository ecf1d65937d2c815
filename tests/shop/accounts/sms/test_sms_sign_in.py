import json

import pytest
from django.core.cache import cache

from shop.accounts.models import SmsCode
from shop.orders.models import Order
from tests import factories
from tests.shop.accounts.sms.fake_aliyun import FakeAliyunSms

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def code_from_console(capsys) -> str:
    return capsys.readouterr().out.strip().rsplit(" ", 1)[-1]


def test_sign_in_with_a_code_on_the_console(api_client, capsys):
    mei = factories.UserFactory(email="mei@example.com")
    asked = api_client.post("/api/v1/auth/sms-code/", {"phone": PHONE}, format="json")
    assert asked.status_code == 202
    code = code_from_console(capsys)
    assert len(code) == 6
    assert code not in SmsCode.objects.get().digest
    signed_in = api_client.force_authenticate(mei) or api_client.post(
        "/api/v1/me/phone/", {"phone": f"+86 {PHONE}", "code": code}, format="json"
    )
    assert signed_in.status_code == 200, signed_in.json()
    assert signed_in.json()["phone_verified"] is True
    api_client.force_authenticate(None)

    api_client.post("/api/v1/auth/sms-code/", {"phone": PHONE}, format="json")
    code = code_from_console(capsys)
    wrong = api_client.post(
        "/api/v1/auth/sms-sign-in/",
        {"phone": PHONE, "code": "000000" if code != "000000" else "111111"},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "sms_code_invalid"
    assert SmsCode.objects.order_by("-id").first().failed_attempts == 1
    ok = api_client.post(
        "/api/v1/auth/sms-sign-in/",
        {"phone": PHONE, "code": code, "device_name": "phone"},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["user"]["email"] == "mei@example.com"
    used = api_client.post(
        "/api/v1/auth/sms-sign-in/", {"phone": PHONE, "code": code}, format="json"
    )
    assert used.status_code == 400


def test_a_verified_number_attaches_guest_orders(api_client, capsys, small_shop):
    order = factories.order_with_stock(channel=small_shop.channel, lines=[(small_shop.variant, 1)])
    Order.objects.filter(pk=order.pk).update(phone=f"+86{PHONE}")
    mei = factories.UserFactory()
    api_client.post("/api/v1/auth/sms-code/", {"phone": PHONE}, format="json")
    api_client.force_authenticate(mei)
    code = code_from_console(capsys)
    assert (
        api_client.post(
            "/api/v1/me/phone/", {"phone": PHONE, "code": code}, format="json"
        ).status_code
        == 200
    )
    assert Order.objects.get(pk=order.pk).user == mei


def test_a_number_without_an_account_or_a_bad_number(api_client, capsys):
    bad = api_client.post("/api/v1/auth/sms-code/", {"phone": "12345"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["phone"]
    api_client.post("/api/v1/auth/sms-code/", {"phone": PHONE}, format="json")
    code = code_from_console(capsys)
    response = api_client.post(
        "/api/v1/auth/sms-sign-in/", {"phone": PHONE, "code": code}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "phone_not_registered"


def test_codes_per_number_are_limited(api_client, settings, capsys):
    settings.SMS_CODES_PER_NUMBER_PER_HOUR = 2
    for _ in range(2):
        assert (
            api_client.post("/api/v1/auth/sms-code/", {"phone": PHONE}, format="json").status_code
            == 202
        )
    third = api_client.post("/api/v1/auth/sms-code/", {"phone": PHONE}, format="json")
    assert third.status_code == 429
    assert third.json()["code"] == "sms_code_too_often"
    assert int(third["Retry-After"]) > 0
    assert SmsCode.objects.count() == 2
    other = api_client.post("/api/v1/auth/sms-code/", {"phone": "13900139000"}, format="json")
    assert other.status_code == 202


def test_codes_per_client_are_limited(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "sms_code": "2/hour",
        },
    }
    numbers = ["13800138001", "13800138002", "13800138003"]
    answers = [
        api_client.post("/api/v1/auth/sms-code/", {"phone": n}, format="json").status_code
        for n in numbers
    ]
    assert answers == [202, 202, 429]


def test_aliyun_sends_a_signed_request(api_client, settings):
    settings.SMS_SENDER = "aliyun"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "LTAI-test"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "secret-made-in-the-test"
    settings.SMS_SIGN_NAME = "恭王府文创"
    settings.SMS_TEMPLATE_CODE = "SMS_0001"
    with FakeAliyunSms(secret="secret-made-in-the-test", port=8161) as fake:
        settings.SMS_ALIYUN_ENDPOINT = fake.url
        assert (
            api_client.post("/api/v1/auth/sms-code/", {"phone": PHONE}, format="json").status_code
            == 202
        )
        [sent] = fake.sent
        assert (sent["PhoneNumbers"], sent["SignName"], sent["TemplateCode"]) == (
            PHONE,
            "恭王府文创",
            "SMS_0001",
        )
        assert len(json.loads(sent["TemplateParam"])["code"]) == 6
        fake.refuse_with = "isv.BUSINESS_LIMIT_CONTROL"  # Alibaba's limit on the number
        limited = api_client.post("/api/v1/auth/sms-code/", {"phone": "13900139000"}, format="json")
        assert (limited.status_code, limited.json()["code"]) == (429, "sms_number_limited")
        assert limited["Retry-After"] == "3600"
        fake.refuse_with = "isv.AMOUNT_NOT_ENOUGH"  # the merchant's account, not the shopper
        refused = api_client.post("/api/v1/auth/sms-code/", {"phone": "13600136000"}, format="json")
        assert refused.status_code == 503
        assert refused.json()["code"] == "sms_not_sent"
        settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "a-wrong-secret"
        forged = api_client.post("/api/v1/auth/sms-code/", {"phone": "13700137000"}, format="json")
        assert forged.status_code == 503
    assert len(fake.sent) == 1

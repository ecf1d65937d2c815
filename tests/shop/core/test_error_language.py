"""Every error answers in the language the request asked for: Chinese by default and for
``Accept-Language: zh-CN``, English for ``?lang=en`` and ``Accept-Language: en-US,en``.

The code never changes with the language; the message and the fields' texts do, for
the shop's own rules as for DRF's and Django's answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from catalog.models import Stock
from shop.core.errors import csrf_failure_message, parse_error_message
from shop.orders.models import Order
from tests.factories import VoucherFactory
from tests.shop.conftest import cart_ready, cart_url

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Asking:
    """How a request asks for its language, and the language the answer must be in."""

    language: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        if not self.query:
            return path
        return f"{path}{'&' if '?' in path else '?'}{self.query}"


ASKING = [
    pytest.param(Asking("zh"), id="default"),
    pytest.param(Asking("en", query="lang=en"), id="lang-en"),
    pytest.param(Asking("en", headers={"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}), id="accept-en"),
    pytest.param(Asking("zh", headers={"HTTP_ACCEPT_LANGUAGE": "zh-CN"}), id="accept-zh"),
]
CONTENT_LANGUAGE = {"zh": "zh-Hans", "en": "en"}


def answer(response, asking: Asking, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Language"] == CONTENT_LANGUAGE[asking.language]
    assert "accept-language" in response["Vary"].lower()
    return response.json()


@pytest.mark.parametrize("asking", ASKING)
def test_sold_out_is_told_in_the_asked_language(api_client, small_shop, asking):
    token = cart_ready(api_client, small_shop)
    Stock.objects.filter(pk=small_shop.stock.pk).update(quantity_reserved=10)

    response = api_client.post(
        asking.url(cart_url(small_shop, token, "order/")),
        HTTP_IDEMPOTENCY_KEY="late",
        **asking.headers,
    )

    message = {"zh": "该商品已售罄。", "en": "This item is sold out."}[asking.language]
    assert answer(response, asking, 409) == {
        "code": "sold_out",
        "message": message,
        "fields": {"lines": [small_shop.variant.sku]},
    }
    assert Order.objects.count() == 0


@pytest.mark.parametrize("asking", ASKING)
def test_expired_voucher_is_told_in_the_asked_language(api_client, small_shop, asking):
    VoucherFactory(code="SPRING", valid_until="2020-01-01T00:00:00Z")
    token = cart_ready(api_client, small_shop)

    response = api_client.patch(
        asking.url(cart_url(small_shop, token, "checkout/")),
        {"voucher_code": "SPRING"},
        format="json",
        **asking.headers,
    )

    message = {"zh": "该优惠券已过期。", "en": "This voucher has expired."}[asking.language]
    assert answer(response, asking, 400) == {
        "code": "voucher_expired",
        "message": message,
        "fields": {},
    }


@pytest.mark.parametrize("asking", ASKING)
def test_missing_checkout_details_are_named_in_the_asked_language(api_client, small_shop, asking):
    token = api_client.post(cart_url(small_shop), format="json").json()["token"]
    api_client.post(
        cart_url(small_shop, token, "lines/"),
        {"sku": small_shop.variant.sku, "quantity": 1},
        format="json",
    )

    response = api_client.post(
        asking.url(cart_url(small_shop, token, "order/")),
        HTTP_IDEMPOTENCY_KEY="early",
        **asking.headers,
    )

    expected = {
        "zh": {
            "code": "checkout_incomplete",
            "message": "下单前还需补充一些信息。",
            "fields": {
                "email": ["请填写邮箱地址。"],
                "shipping_address": ["请填写收货地址。"],
                "shipping_method": ["请选择配送方式。"],
            },
        },
        "en": {
            "code": "checkout_incomplete",
            "message": "Some details are missing before the order can be placed.",
            "fields": {
                "email": ["An e-mail address is needed."],
                "shipping_address": ["A shipping address is needed."],
                "shipping_method": ["Choose a shipping method."],
            },
        },
    }
    assert answer(response, asking, 400) == expected[asking.language]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("asking", ASKING)
def test_serializer_validation_errors_are_in_the_asked_language(asking):
    response = APIClient().post(
        asking.url("/api/v1/auth/sign-in/"),
        {"email": "not-an-email"},
        format="json",
        **asking.headers,
    )

    expected = {
        "zh": {
            "code": "invalid",
            "message": "部分字段无效。",
            "fields": {"email": ["请输入合法的邮件地址。"], "password": ["该字段是必填项。"]},
        },
        "en": {
            "code": "invalid",
            "message": "Some fields are not valid.",
            "fields": {
                "email": ["Enter a valid email address."],
                "password": ["This field is required."],
            },
        },
    }
    assert answer(response, asking, 400) == expected[asking.language]


@pytest.mark.parametrize("asking", ASKING)
def test_drf_not_found_is_in_the_asked_language(asking):
    response = APIClient().get(asking.url("/api/v1/products/?page=99"), **asking.headers)

    message = {"zh": "无效页面。", "en": "Invalid page."}[asking.language]
    assert answer(response, asking, 404) == {"code": "not_found", "message": message, "fields": {}}


@pytest.mark.parametrize("asking", ASKING)
def test_method_not_allowed_is_in_the_asked_language(asking):
    response = APIClient().delete(asking.url("/api/v1/products/"), **asking.headers)

    message = {"zh": "方法 “DELETE” 不被允许。", "en": 'Method "DELETE" not allowed.'}
    assert answer(response, asking, 405) == {
        "code": "method_not_allowed",
        "message": message[asking.language],
        "fields": {},
    }


@pytest.mark.parametrize("asking", ASKING)
def test_not_authenticated_is_in_the_asked_language(asking):
    response = APIClient().get(asking.url("/api/v1/me/"), **asking.headers)

    message = {
        "zh": "身份认证信息未提供。",
        "en": "Authentication credentials were not provided.",
    }[asking.language]
    assert answer(response, asking, 401) == {
        "code": "not_authenticated",
        "message": message,
        "fields": {},
    }


@pytest.mark.parametrize("asking", ASKING)
def test_throttled_is_in_the_asked_language_with_its_wait(settings, asking):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"sign_in": "1/hour"},
    }
    client = APIClient()
    client.post("/api/v1/auth/sign-in/", {"email": "a@example.com"}, format="json")

    response = client.post(
        asking.url("/api/v1/auth/sign-in/"),
        {"email": "a@example.com"},
        format="json",
        **asking.headers,
    )

    body = answer(response, asking, 429)
    wait = body["retry_after"]
    assert 1 <= wait <= 3600
    message = {
        "zh": f"请求已被限流。 预计 {wait} 秒后可用。",
        "en": f"Request was throttled. Expected available in {wait} second"
        f"{'' if wait == 1 else 's'}.",
    }[asking.language]
    assert body == {"code": "throttled", "message": message, "fields": {}, "retry_after": wait}


@pytest.mark.parametrize("asking", ASKING)
def test_parse_error_is_in_the_asked_language(asking):
    response = APIClient().post(
        asking.url("/api/v1/auth/sign-in/"),
        data='{"email": "a@example.com",',
        content_type="application/json",
        **asking.headers,
    )

    message = {
        "zh": "请求体不是有效的 JSON（第 1 行第 27 列）。",
        "en": "The request body is not valid JSON (line 1, column 27).",
    }[asking.language]
    assert answer(response, asking, 400) == {
        "code": "parse_error",
        "message": message,
        "fields": {},
    }


@pytest.mark.parametrize("path", ["/no-such-page/", "/api/v1/no-such-thing/"])
@pytest.mark.parametrize("asking", ASKING)
def test_unknown_url_is_in_the_asked_language(asking, path):
    response = APIClient().get(asking.url(path), **asking.headers)

    message = {"zh": "未找到。", "en": "Not found."}[asking.language]
    assert answer(response, asking, 404) == {"code": "not_found", "message": message, "fields": {}}


def test_lang_in_the_query_wins_over_accept_language():
    response = APIClient().get("/api/v1/me/?lang=zh", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 401
    assert response["Content-Language"] == "zh-Hans"
    assert response.json()["message"] == "身份认证信息未提供。"


def test_the_admin_keeps_djangos_own_choice_of_language(staff_user):
    """The admin follows Accept-Language and the language cookie as Django's
    LocaleMiddleware would; the shop's ``?lang=`` is not its rule."""
    client = APIClient()
    client.force_login(staff_user)

    english = client.get("/admin/?lang=zh", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/admin/")

    assert english["Content-Language"] == "en"
    assert chinese["Content-Language"] == "zh-hans"


@pytest.mark.parametrize(
    ("reason", "english", "chinese"),
    [
        (
            "Origin checking failed - https://elsewhere.example does not match any trusted "
            "origins.",
            "CSRF check failed: Origin checking failed - https://elsewhere.example does not "
            "match any trusted origins.",
            "CSRF 校验失败：Origin 检查失败：https://elsewhere.example 不在受信任的来源之列。",
        ),
        (
            "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length.",
            "CSRF check failed: The CSRF token is malformed.",
            "CSRF 校验失败：CSRF 令牌格式有误。",
        ),
        (
            "CSRF token from POST incorrect.",
            "CSRF check failed: CSRF token incorrect.",
            "CSRF 校验失败：CSRF 令牌不正确。",
        ),
    ],
)
def test_every_csrf_reason_django_gives_is_translated(reason, english, chinese):
    with translation.override("en"):
        assert csrf_failure_message(reason) == english
    with translation.override("zh-hans"):
        assert csrf_failure_message(reason) == chinese


def test_json_that_breaks_nowhere_in_particular_is_still_told_in_the_language():
    refused = "JSON parse error - Out of range float values are not permitted."

    with translation.override("zh-hans"):
        assert parse_error_message(refused) == "请求体不是有效的 JSON。"
    with translation.override("en"):
        assert parse_error_message(refused) == "The request body is not valid JSON."

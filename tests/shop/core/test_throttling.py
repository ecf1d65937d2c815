"""Rate limits of sign-in, registration, cart and checkout, counted in the real Redis."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from fulfillment.apis import OrderReturnListCreateApi, OrderTrackingApi
from shop.accounts.apis import RegisterApi, SignInApi
from shop.checkout import apis as cart_apis
from shop.checkout import placement_apis
from shop.core.throttling import ShopScopedRateThrottle, client_address
from shop.orders.apis import GuestOrderLookupApi, OrderCancelApi
from shop.payments.apis import FakePaymentConfirmApi, PaymentStartApi
from tests import factories
from tests.shop.conftest import cart_url

SIGN_IN = "/api/v1/auth/sign-in/"
REGISTER = "/api/v1/auth/register/"
THROTTLED_VIEWS = [
    RegisterApi,
    SignInApi,
    cart_apis.CartCreateApi,
    cart_apis.CartDetailApi,
    cart_apis.CartLineAddApi,
    cart_apis.CartLineApi,
    cart_apis.CheckoutApi,
    cart_apis.ShippingMethodListApi,
    placement_apis.OrderPlaceApi,
    GuestOrderLookupApi,
    OrderTrackingApi,
    OrderReturnListCreateApi,
    OrderCancelApi,
    PaymentStartApi,
    FakePaymentConfirmApi,
]


@pytest.fixture
def rates(settings):
    def set_rates(**scopes: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                "sign_in": "100000/min",
                "registration": "100000/min",
                "cart": "100000/min",
                "checkout": "100000/min",
                "order_access": "100000/min",
                **scopes,
            },
        }

    return set_rates


def sign_in(client: APIClient, remote_addr: str = "127.0.0.1", **extra):
    """A sign-in with wrong credentials: 401 while the budget lasts, then 429."""
    return client.post(
        SIGN_IN,
        {"email": "nobody@example.com", "password": "wrong"},
        format="json",
        REMOTE_ADDR=remote_addr,
        **extra,
    )


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token_for(user)}")
    return client


def window_key(scope: str, ident: str, seconds: int = 60) -> str:
    return cache.make_key(f"throttle:{scope}:{ident}:{int(time.time() // seconds)}")


@pytest.mark.django_db
def test_sign_in_is_refused_with_429_after_the_limit(rates):
    rates(sign_in="3/min")
    client = APIClient()

    answers = [sign_in(client).status_code for _ in range(3)]
    refused = sign_in(client)

    assert answers == [401, 401, 401]
    assert refused.status_code == 429
    body = refused.json()
    assert set(body) == {"code", "message", "fields", "retry_after"}
    assert body["code"] == "throttled"
    assert body["message"]
    assert body["fields"] == {}
    assert 1 <= body["retry_after"] <= 60
    assert refused["Retry-After"] == str(body["retry_after"])


@pytest.mark.django_db
def test_the_count_lives_in_redis(rates):
    rates(sign_in="5/min")
    client = APIClient()

    for _ in range(2):
        sign_in(client, remote_addr="203.0.113.9")

    raw = cache._cache.get_client().get(window_key("sign_in", "ip-203.0.113.9"))
    assert int(raw) == 2


@pytest.mark.django_db
def test_anonymous_limit_is_per_client_ip(rates):
    rates(sign_in="2/min")
    client = APIClient()
    for _ in range(2):
        sign_in(client, remote_addr="198.51.100.1")

    assert sign_in(client, remote_addr="198.51.100.1").status_code == 429
    assert sign_in(client, remote_addr="198.51.100.2").status_code == 401


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_buy_a_fresh_budget(rates):
    rates(sign_in="2/min")
    client = APIClient()
    for number in range(2):
        sign_in(client, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")

    assert sign_in(client, HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(rates, settings):
    rates(sign_in="1/min")
    settings.THROTTLE_TRUSTED_PROXIES = 1
    client = APIClient()
    proxy = "10.1.1.1"

    first = sign_in(client, proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    same_client = sign_in(client, proxy, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7")
    other_client = sign_in(client, proxy, HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert [first.status_code, same_client.status_code, other_client.status_code] == [
        401,
        429,
        401,
    ]


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "127.0.0.1"),
        (1, None, "127.0.0.1"),
        (1, "1.1.1.1, 2.2.2.2", "2.2.2.2"),
        (2, "1.1.1.1, 2.2.2.2, 3.3.3.3", "2.2.2.2"),
        (3, "2.2.2.2", "2.2.2.2"),
        (1, " , ", "127.0.0.1"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.THROTTLE_TRUSTED_PROXIES = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = APIRequestFactory().get("/", REMOTE_ADDR="127.0.0.1", **extra)

    assert client_address(request) == expected


@pytest.mark.django_db
def test_signed_in_limit_is_per_user_not_per_address(rates, small_shop):
    rates(cart="2/min")
    alice = token_client(factories.UserFactory())
    bob = token_client(factories.UserFactory())
    url = cart_url(small_shop)

    alice_answers = [alice.post(url, format="json").status_code for _ in range(3)]
    bob_answer = bob.post(url, format="json").status_code
    anonymous_answer = APIClient().post(url, format="json").status_code

    assert alice_answers == [201, 201, 429]
    assert bob_answer == 201
    assert anonymous_answer == 201


@pytest.mark.django_db
def test_one_scope_does_not_eat_another_scopes_budget(rates):
    rates(sign_in="1/min", registration="1/min")
    client = APIClient()
    sign_in(client)
    assert sign_in(client).status_code == 429

    response = client.post(
        REGISTER, {"email": "new@example.com", "password": "correct-horse-battery"}, format="json"
    )

    assert response.status_code == 201
    assert client.post(REGISTER, {"email": "x@example.com"}, format="json").status_code == 429


@pytest.mark.django_db
def test_checkout_has_its_own_budget_beside_the_cart(rates, small_shop):
    rates(cart="100/min", checkout="1/min")
    client = APIClient()
    token = client.post(cart_url(small_shop), format="json").json()["token"]
    checkout = cart_url(small_shop, token, "checkout/")

    first = client.patch(checkout, {"email": "buyer@example.com"}, format="json")
    second = client.patch(checkout, {"email": "buyer@example.com"}, format="json")
    cart = client.get(cart_url(small_shop, token))

    assert [first.status_code, second.status_code, cart.status_code] == [200, 429, 200]
    assert second.json()["code"] == "throttled"


@pytest.mark.django_db
def test_a_refused_request_changes_nothing(rates):
    rates(registration="1/min")
    client = APIClient()
    client.post(REGISTER, {"email": "first@example.com", "password": "x"}, format="json")

    response = client.post(
        REGISTER,
        {"email": "second@example.com", "password": "correct-horse-battery"},
        format="json",
    )

    assert response.status_code == 429
    from shop.accounts.models import User

    assert not User.objects.filter(email="second@example.com").exists()


@dataclass
class Clock:
    """The throttles' clock (DRF's ``timer``), moved by the test instead of waited for."""

    now: float

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(now=1_767_225_600.0)  # 2026-01-01 00:00:00 UTC, a window's first instant
    monkeypatch.setattr(ShopScopedRateThrottle, "timer", clock)
    return clock


@pytest.mark.django_db
def test_the_budget_comes_back_in_the_next_window(rates, clock):
    rates(sign_in="2/second")
    client = APIClient()
    answers = [sign_in(client).status_code for _ in range(3)]
    clock.now += 0.99
    last_in_the_window = sign_in(client).status_code

    clock.now += 0.01

    assert answers == [401, 401, 429]
    assert last_in_the_window == 429
    assert sign_in(client).status_code == 401


def test_a_burst_of_concurrent_requests_admits_exactly_the_limit(rates):
    rates(checkout="5/min")

    class View:
        throttle_scope = "checkout"

    def attempt(_: int) -> bool:
        request = Request(APIRequestFactory().post("/", REMOTE_ADDR="192.0.2.50"))
        request.user = None  # anonymous: counted by address
        return ShopScopedRateThrottle().allow_request(request, View())

    with ThreadPoolExecutor(max_workers=16) as pool:
        admitted = list(pool.map(attempt, range(40)))

    assert admitted.count(True) == 5
    assert admitted.count(False) == 35


@pytest.mark.django_db
def test_requests_are_let_through_when_redis_is_down(rates, settings):
    rates(sign_in="1/min")
    # Nothing listens on port 1: a real refused connection.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    client = APIClient()

    answers = [sign_in(client).status_code for _ in range(3)]

    assert answers == [401, 401, 401]


def test_every_throttled_view_uses_the_shop_throttle():
    assert all(view.throttle_classes == [ShopScopedRateThrottle] for view in THROTTLED_VIEWS)

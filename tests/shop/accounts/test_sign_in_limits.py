"""Wrong passwords are limited per account and client, and per account across clients.

Each test sets its own limits (the test settings keep them out of the way elsewhere);
clients are told apart by their address (REMOTE_ADDR), as behind no proxy.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from shop.accounts.models import DeviceToken
from tests import factories
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db

SIGN_IN = "/api/v1/auth/sign-in/"
PASSWORD = "correct-horse-battery"  # the factories' password
HOME, OFFICE = "198.51.100.10", "198.51.100.20"


@pytest.fixture
def limits(settings):
    def set_limits(
        *, per_client: int = 100, per_account: int = 100, cool_off=timedelta(minutes=15)
    ) -> None:
        settings.AXES_FAILURE_LIMIT = per_client
        settings.SIGN_IN_FAILURES_PER_ACCOUNT = per_account
        settings.AXES_COOLOFF_TIME = cool_off

    return set_limits


def sign_in(email: str, password: str = "wrong", address: str = HOME, **extra):
    extra.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    return APIClient().post(
        SIGN_IN, {"email": email, "password": password}, format="json", REMOTE_ADDR=address, **extra
    )


def statuses(email: str, addresses: list[str], password: str = "wrong") -> list[int]:
    return [sign_in(email, password, address).status_code for address in addresses]


def test_wrong_passwords_lock_the_account_for_that_client(limits):
    limits(per_client=3)
    alice = factories.UserFactory(email="alice@example.com")

    answers = statuses("alice@example.com", [HOME] * 3)
    right_password_here = sign_in("alice@example.com", PASSWORD, HOME)

    assert answers == [401, 401, 429]
    assert right_password_here.status_code == 429
    assert not DeviceToken.objects.filter(user=alice).exists()
    assert sign_in("alice@example.com", PASSWORD, OFFICE).status_code == 200


def test_a_locked_sign_in_answers_in_the_error_shape_with_retry_after(limits):
    limits(per_client=2, cool_off=timedelta(minutes=15))
    factories.UserFactory(email="alice@example.com")
    sign_in("alice@example.com")

    refused = sign_in("alice@example.com")

    assert refused.status_code == 429
    body = refused.json()
    assert set(body) == {"code", "message", "fields", "retry_after"}
    assert body["code"] == "sign_in_locked"
    assert body["fields"] == {}
    assert "15 minute" in body["message"]
    assert body["retry_after"] == 900
    assert refused["Retry-After"] == "900"


def test_other_accounts_behind_the_same_address_keep_signing_in(limits):
    limits(per_client=2)
    factories.UserFactory(email="alice@example.com")
    bob = factories.UserFactory(email="bob@example.com")
    statuses("alice@example.com", [HOME] * 2)

    bob_wrong = sign_in("bob@example.com", "wrong", HOME)
    bob_right = sign_in("bob@example.com", PASSWORD, HOME)

    assert bob_wrong.status_code == 401
    assert bob_right.status_code == 200
    assert DeviceToken.objects.get(user=bob).token_key == bob_right.json()["token"][:15]


def test_one_account_tried_from_many_clients_is_locked_for_new_clients(limits):
    limits(per_client=100, per_account=4)
    alice = factories.UserFactory(email="alice@example.com")
    factories.UserFactory(email="bob@example.com")
    botnet = [f"203.0.113.{n}" for n in range(1, 5)]

    answers = statuses("alice@example.com", botnet)
    from_another_new_client = sign_in("alice@example.com", PASSWORD, "203.0.113.99")

    assert answers == [401, 401, 401, 429]
    assert from_another_new_client.status_code == 429
    assert from_another_new_client.json()["code"] == "sign_in_locked"
    assert not DeviceToken.objects.filter(user=alice).exists()
    # Only that account: others, from the same clients, are not affected.
    assert sign_in("bob@example.com", PASSWORD, botnet[0]).status_code == 200


def test_the_owner_still_signs_in_from_a_client_known_to_the_account(limits):
    limits(per_client=100, per_account=3)
    factories.UserFactory(email="alice@example.com")
    assert sign_in("alice@example.com", PASSWORD, HOME).status_code == 200
    statuses("alice@example.com", [f"203.0.113.{n}" for n in range(1, 4)])

    at_home = sign_in("alice@example.com", PASSWORD, HOME)
    elsewhere = sign_in("alice@example.com", PASSWORD, OFFICE)

    assert at_home.status_code == 200
    assert elsewhere.status_code == 429


def test_the_account_is_one_key_whatever_the_case_of_its_email(limits):
    limits(per_client=2)
    factories.UserFactory(email="alice@example.com")

    answers = [sign_in(email).status_code for email in ("Alice@Example.com", "ALICE@example.com")]

    assert answers == [401, 429]


def test_a_forged_forwarded_for_header_does_not_make_a_new_client(limits, settings):
    limits(per_client=2)
    settings.THROTTLE_TRUSTED_PROXIES = 0
    factories.UserFactory(email="alice@example.com")

    answers = [
        sign_in("alice@example.com", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}").status_code
        for n in range(3)
    ]

    assert answers == [401, 429, 429]


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(limits, settings):
    limits(per_client=2)
    settings.THROTTLE_TRUSTED_PROXIES = 1
    factories.UserFactory(email="alice@example.com")
    proxy = "10.1.1.1"

    locked = [
        sign_in("alice@example.com", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, {HOME}")
        for n in range(2)
    ]
    other_client = sign_in("alice@example.com", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=OFFICE)

    assert [r.status_code for r in locked] == [401, 429]
    assert other_client.status_code == 200


def test_the_right_password_works_again_after_the_cool_off(limits):
    limits(per_client=2, cool_off=timedelta(seconds=1))
    factories.UserFactory(email="alice@example.com")
    statuses("alice@example.com", [HOME] * 2)
    assert sign_in("alice@example.com", PASSWORD).status_code == 429

    # Attempts refused during the lock do not prolong it: it ends a cool-off after it began.
    # The lock is a key in Redis that expires on Redis's clock.
    answers = []

    def signed_in() -> bool:
        answers.append(sign_in("alice@example.com", PASSWORD).status_code)
        return answers[-1] != 429

    wait_until(signed_in, seconds=5, every=0.1)

    assert answers[-1] == 200


def test_a_successful_sign_in_clears_the_failures_of_its_client(limits):
    limits(per_client=3)
    factories.UserFactory(email="alice@example.com")
    statuses("alice@example.com", [HOME] * 2)
    assert sign_in("alice@example.com", PASSWORD).status_code == 200

    answers = statuses("alice@example.com", [HOME] * 3)

    assert answers == [401, 401, 429]


def test_registration_signs_in_through_the_same_limits(limits):
    limits(per_client=2)
    response = APIClient().post(
        "/api/v1/auth/register/",
        {"email": "new@example.com", "password": "a-long-enough-passphrase"},
        format="json",
        REMOTE_ADDR=HOME,
    )

    assert response.status_code == 201
    assert statuses("new@example.com", [HOME] * 2) == [401, 429]


def test_sign_in_works_without_limits_when_the_cache_is_down(limits, settings):
    limits(per_client=1)
    # Nothing listens on port 1: a real refused connection.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    factories.UserFactory(email="alice@example.com")

    answers = statuses("alice@example.com", [HOME] * 2)

    assert answers == [401, 401]
    assert sign_in("alice@example.com", PASSWORD).status_code == 200


def test_the_embedded_default_locks_in_process_memory():
    """The settings of a first run (SQLite, the cache in memory), in a fresh interpreter."""
    from tests.shop.accounts.embedded_sign_in import run_embedded_sign_in

    result = run_embedded_sign_in()

    assert result == {
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "engine": "django.db.backends.sqlite3",
        "api": [401, 401, 401, 401, 429, 429],
        "api_code": "sign_in_locked",
        "other_account_same_client": 200,
        "same_account_other_client": 200,
        "admin": [200, 200, 200, 200, 429],
        "admin_page": "text/html; charset=utf-8",
    }

"""Production security settings, CSRF for session clients, CORS for storefront origins,
and secrets only from the environment."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests import factories

REPO = Path(__file__).resolve().parents[3]
NO_DOT_ENV = "import environ; environ.Env.read_env = classmethod(lambda *a, **k: None); "
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://shop:secret@db.example.com:5432/shop",
    "REDIS_URL": "redis://redis.example.com:6379/0",
}


def run_production(code: str, extra_env: dict[str, str] | None = None) -> str:
    """Run ``code`` under the production settings in a fresh interpreter; its stdout."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "shop.settings.production",
        **PRODUCTION_ENV,
        **(extra_env or {}),
    }
    result = subprocess.run(
        [sys.executable, "-c", NO_DOT_ENV + "import django; django.setup(); " + code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_production_cookies_transport_and_headers_are_locked_down():
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_SAMESITE",
        "LANGUAGE_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
        "X_FRAME_OPTIONS",
        "CSRF_FAILURE_VIEW",
        "METRICS_TOKEN",
        "THROTTLE_TRUSTED_PROXIES",
    ]
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )

    values = json.loads(run_production(code))

    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "CSRF_FAILURE_VIEW": "shop.core.errors.csrf_failure",
        "METRICS_TOKEN": "",
        "THROTTLE_TRUSTED_PROXIES": 1,
    }


def test_production_logs_are_json_unless_asked_otherwise():
    code = (
        "from django.conf import settings as s; "
        "print(s.LOGGING['handlers']['console']['formatter'], "
        "','.join(s.LOGGING['handlers']['console']['filters']))"
    )

    assert run_production(code).split() == ["json", "mask_secrets,request_id"]
    assert run_production(code, {"LOG_FORMAT": "plain"}).split()[0] == "plain"


PRODUCTION_REQUESTS = """
import json
from django.test import Client
client = Client(HTTP_HOST="shop.example.com")
secure = client.get("/health/live/", secure=True)
plain = client.get("/api/v1/products/")
metrics = client.get("/metrics/", secure=True, HTTP_ACCEPT_LANGUAGE="en")
print(json.dumps({
    "secure_status": secure.status_code,
    "headers": {name: secure.get(name) for name in (
        "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
        "Referrer-Policy", "Cross-Origin-Opener-Policy")},
    "request_id": len(secure["X-Request-ID"]),
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "metrics_status": metrics.status_code,
    "metrics_body": metrics.json(),
}))
"""


def test_production_answers_carry_the_security_headers_and_redirect_to_https():
    answers = json.loads(run_production(PRODUCTION_REQUESTS))

    assert answers == {
        "secure_status": 200,
        "headers": {
            "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
        },
        "request_id": 32,
        "plain_status": 301,
        "plain_location": "https://shop.example.com/api/v1/products/",
        # No METRICS_TOKEN configured: the endpoint does not exist.
        "metrics_status": 404,
        "metrics_body": {"code": "not_found", "message": "Not found.", "fields": {}},
    }


def test_production_takes_its_secrets_from_the_environment():
    secret_env = {
        "STRIPE_SECRET_KEY": "sk_live_from_env",
        "STRIPE_WEBHOOK_SECRET": "whsec_from_env",
        "EMAIL_HOST_PASSWORD": "smtp-from-env",
        "METRICS_TOKEN": "metrics-from-env",
    }
    names = ["SECRET_KEY", *secret_env]
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )

    values = json.loads(run_production(code, secret_env))

    assert values == {"SECRET_KEY": PRODUCTION_ENV["DJANGO_SECRET_KEY"], **secret_env}


def test_no_settings_module_writes_a_secret_down():
    secret_name = re.compile(
        r"^([A-Z_]*(SECRET|PASSWORD|TOKEN|_KEY)[A-Z_]*)\s*(?::[^=]*)?=\s*(.+)$"
    )
    written_down = []
    for path in sorted((REPO / "shop" / "settings").glob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = secret_name.match(line)
            # A quoted value is a secret written into the code.
            if match and match.group(3).startswith(("'", '"')):
                written_down.append(f"{path.name}: {line}")

    assert written_down == []


# --- CSRF for session clients -----------------------------------------------------------------


@pytest.mark.django_db
def test_session_post_with_the_csrf_token_is_accepted():
    user = factories.UserFactory()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    csrf_secret = secrets.token_hex(16)  # what Django keeps in the csrftoken cookie
    client.cookies["csrftoken"] = csrf_secret

    response = client.post("/api/v1/auth/sign-out/", HTTP_X_CSRFTOKEN=csrf_secret)

    assert response.status_code == 204


@pytest.mark.django_db
def test_session_post_with_a_wrong_csrf_token_is_403_csrf_failed():
    user = factories.UserFactory()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = "a" * 32

    response = client.post("/api/v1/auth/sign-out/", HTTP_X_CSRFTOKEN="b" * 32)

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.django_db
def test_token_clients_need_no_csrf_token():
    from tests.factories import api_token_for

    user = factories.UserFactory()
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")

    assert client.post("/api/v1/auth/sign-out/").status_code == 204


@pytest.mark.django_db
def test_a_form_post_without_csrf_outside_the_api_is_refused_in_the_error_shape():
    from django.test import Client

    credentials = {"username": "a@example.com", "password": "x"}
    client = Client(enforce_csrf_checks=True)

    english = client.post("/admin/login/", credentials, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.post("/admin/login/", credentials)

    assert (english.status_code, chinese.status_code) == (403, 403)
    assert english.json() == {
        "code": "csrf_failed",
        "message": "CSRF check failed: CSRF cookie not set.",
        "fields": {},
    }
    assert chinese.json() == {
        "code": "csrf_failed",
        "message": "CSRF 校验失败：未设置 CSRF Cookie。",
        "fields": {},
    }


# --- CORS: only the configured storefronts -----------------------------------------------------

STOREFRONT = "https://news.example.com"


@pytest.fixture
def storefronts(settings):
    settings.CORS_ALLOWED_ORIGINS = [STOREFRONT, "https://shop.example.com"]


@pytest.mark.django_db
def test_a_configured_storefront_may_read_api_answers(storefronts):
    response = APIClient().get("/api/v1/collections/", HTTP_ORIGIN=STOREFRONT)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == STOREFRONT
    assert "X-Request-ID" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_another_origin_gets_no_cors_header(storefronts):
    response = APIClient().get("/api/v1/collections/", HTTP_ORIGIN="https://evil.example.net")

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_a_storefront_preflight_allows_the_checkout_headers(storefronts):
    response = APIClient().options(
        "/api/v1/carts/",
        HTTP_ORIGIN=STOREFRONT,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, idempotency-key, x-channel-key",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == STOREFRONT
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "idempotency-key", "x-channel-key", "authorization"} <= allowed


@pytest.mark.django_db
def test_a_preflight_from_another_origin_is_not_allowed(storefronts):
    response = APIClient().options(
        "/api/v1/carts/",
        HTTP_ORIGIN="https://evil.example.net",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_cors_applies_only_to_the_api(storefronts):
    response = APIClient().get("/health/live/", HTTP_ORIGIN=STOREFRONT)

    assert "Access-Control-Allow-Origin" not in response


def test_without_configuration_no_origin_is_allowed():
    code = "from django.conf import settings as s; print(repr(s.CORS_ALLOWED_ORIGINS))"

    assert run_production(code).strip() == "[]"
    assert run_production(code, {"CORS_ALLOWED_ORIGINS": STOREFRONT}).strip() == repr([STOREFRONT])

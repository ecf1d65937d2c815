"""The production stack as docker-compose.yml describes it, proven on real processes:
a shopper buys and a partner downloads a statement through nginx over HTTPS, with
gunicorn, a worker and beat behind it on PgBouncer in transaction mode; HSTS and secure
cookies are there, plain HTTP redirects, a forged X-Forwarded-For does not buy a fresh
rate limit, a second beat schedules nothing, and readiness stays green without Redis.

The tests run in this order on one stack (started once for the module); the last one
stops its Redis servers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.journeys import test_partners, test_purchase
from tests.journeys.conftest import CleanupLater, journey_database_url
from tests.journeys.proxied_stack import ProxiedStack, missing_programs
from tests.journeys.shop_api import API
from tests.journeys.stacks import database_drop
from tests.waiting import wait_until

pytestmark = pytest.mark.journey

SENDING = "Scheduler: Sending due task"


@pytest.fixture(scope="module")
def proxied(
    tmp_path_factory: pytest.TempPathFactory, cleanup_later: CleanupLater
) -> Iterator[ProxiedStack]:
    missing = missing_programs()
    if missing:
        pytest.skip(
            f"the proxied production stack needs {', '.join(missing)} "
            "(apt-get install nginx pgbouncer redis-server curl openssl; .ci/run does)"
        )
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the proxied production stack runs on PostgreSQL")
    url = journey_database_url()
    stack = ProxiedStack(tmp_path_factory.mktemp("proxied"), database_url=f"{url}_proxied")
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        cleanup_later.submit(database_drop, stack.database_url)


@pytest.fixture
def trusting(proxied: ProxiedStack, monkeypatch: pytest.MonkeyPatch) -> ProxiedStack:
    """The journeys' HTTP clients trust the stack's self-signed certificate."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(proxied.certificate))
    return proxied


def get(stack: ProxiedStack, path: str, **options) -> requests.Response:
    return requests.get(
        f"{stack.base_url}{path}",
        verify=str(stack.certificate),
        timeout=30,
        allow_redirects=False,
        **options,
    )


def test_a_guest_and_a_storefront_buy_through_the_proxy(trusting: ProxiedStack):
    test_purchase.test_a_guest_buys_step_by_step_as_the_readme_shows(trusting)
    test_purchase.test_a_storefront_buys_now_in_one_request_with_its_channel_key(trusting)


def test_a_partner_downloads_a_closed_statement_through_the_proxy(trusting: ProxiedStack):
    test_partners.test_a_partner_viewer_reads_the_month_and_downloads_a_closed_statement(trusting)
    test_partners.test_a_partner_viewer_sees_nothing_of_the_other_partner(trusting)
    # The closed months' statements were downloaded from the private storage, which
    # the proxy never serves.
    stored = trusting.workdir / "private" / "statements"
    assert {path.suffix for path in stored.rglob("ST-MUSEUM-*")} == {".csv", ".xlsx", ".pdf"}


def test_the_database_is_reached_through_pgbouncer_in_transaction_mode(proxied: ProxiedStack):
    name = proxied.database_url.rsplit("/", 1)[1]
    pools = [pool for pool in proxied.pgbouncer_show("POOLS") if pool["database"] == name]
    assert pools
    assert {pool["pool_mode"] for pool in pools} == {"transaction"}
    stats = next(row for row in proxied.pgbouncer_show("STATS") if row["database"] == name)
    assert stats["total_xact_count"] > 100


def test_https_answers_carry_hsts_and_cookies_are_secure(proxied: ProxiedStack):
    page = get(proxied, "/admin/login/")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = page.cookies.get("csrftoken")
    assert csrf
    assert re.search(r"csrftoken=[^;]+;.*\bSecure\b", page.headers["Set-Cookie"])
    # Signing in to the admin gives a secure, HTTP-only session cookie.
    signed_in = requests.post(
        f"{proxied.base_url}/admin/login/?next=/admin/",
        data={
            "username": "admin@example.com",
            "password": "demo-admin-pass",
            "csrfmiddlewaretoken": csrf,
        },
        cookies={"csrftoken": csrf},
        headers={"Referer": f"{proxied.base_url}/admin/login/"},
        verify=str(proxied.certificate),
        timeout=30,
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    session = next(c for c in signed_in.raw.headers.getlist("Set-Cookie") if "sessionid=" in c)
    assert "Secure" in session and "HttpOnly" in session


def test_static_files_have_hashed_names_and_the_proxy_serves_them(proxied: ProxiedStack):
    page = get(proxied, "/admin/login/").text
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the admin's stylesheet has no hashed name"
    served = get(proxied, stylesheet.group(1))
    assert served.status_code == 200
    assert served.headers["Server"] == "nginx"
    assert "max-age=2592000" in served.headers["Cache-Control"]
    assert served.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_plain_http_is_redirected_to_https(proxied: ProxiedStack):
    answer = requests.get(
        f"{proxied.http_url}/api/v1/products/?channel=museum-web",
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code == 301
    assert answer.headers["Location"] == (f"{proxied.base_url}/api/v1/products/?channel=museum-web")


def test_a_body_over_the_proxy_limit_is_refused_in_the_shop_error_shape(proxied: ProxiedStack):
    answer = requests.post(
        f"{proxied.base_url}{API}/auth/sign-in/",
        data=b"x" * (21 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
        verify=str(proxied.certificate),
        timeout=60,
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "request_too_large"


def test_a_forged_x_forwarded_for_does_not_buy_a_fresh_rate_limit(proxied: ProxiedStack):
    """Each sign-in claims another client address; the proxy replaces the header, so
    the shop counts every one against the one real client and refuses within its rate
    (10 a minute; at most two windows if a minute turns over meanwhile)."""
    statuses = []
    for attempt in range(25):
        answer = requests.post(
            f"{proxied.base_url}{API}/auth/sign-in/",
            json={"username": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "x"},
            headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
            verify=str(proxied.certificate),
            timeout=30,
        )
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            break
    assert statuses[-1] == 429, statuses
    assert len(statuses) <= 21, statuses


def test_a_second_beat_schedules_nothing(proxied: ProxiedStack):
    first_log, second_log = proxied.log("beat"), proxied.log("beat-2")
    heartbeats = proxied.beat_second_start()
    assert wait_until(lambda: (heartbeats / "beat").exists(), seconds=120), proxied.tail()
    assert (heartbeats / "beat").read_text() == "standby"
    sent = first_log.read_text().count(SENDING)
    assert wait_until(lambda: first_log.read_text().count(SENDING) > sent + 3, seconds=60)
    assert SENDING not in second_log.read_text()
    assert "this one is a standby" in second_log.read_text()
    assert (Path(proxied.workdir / "heartbeat-beat") / "beat").read_text() == "leader"


def test_readiness_stays_green_with_redis_stopped(proxied: ProxiedStack):
    proxied.redis_stop("cache")
    proxied.redis_stop("redis")
    ready = get(proxied, "/health/ready/")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["broker"]["ok"] is False
    assert proxied.healthy("web")
    # And the shop still sells: the catalog answers.
    products = get(proxied, f"{API}/products/?channel=museum-web")
    assert products.status_code == 200
    # The full report, for operators, says what is missing.
    assert get(proxied, "/health/").status_code == 503

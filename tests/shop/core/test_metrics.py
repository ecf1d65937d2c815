"""The Prometheus metrics endpoint: who may read it, what it counts (requests, the shop's
events, failing tasks, queue depths), with Redis down, and across web workers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from shop.celery import app as celery_app
from shop.core import metrics
from tests.shop.core.in_thread_worker import run_worker_until

REPO = Path(__file__).resolve().parents[3]
METRICS_TOKEN = "s3cret-metrics-token-for-tests"


# --- Metrics endpoint -------------------------------------------------------------------------


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    return METRICS_TOKEN


def scrape(client: APIClient | None = None, token: str = METRICS_TOKEN) -> str:
    response = (client or APIClient()).get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def sample(text: str, line_start: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


@pytest.mark.django_db
def test_metrics_without_a_token_configured_do_not_exist_outside_debug(settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = False

    english = APIClient().get("/metrics/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = APIClient().get("/metrics/")

    assert (english.status_code, chinese.status_code) == (404, 404)
    assert english.json() == {"code": "not_found", "message": "Not found.", "fields": {}}
    assert chinese.json() == {"code": "not_found", "message": "未找到。", "fields": {}}


@pytest.mark.django_db
def test_metrics_without_a_token_configured_are_open_in_debug(settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = True

    response = APIClient().get("/metrics/")

    assert response.status_code == 200
    assert "shop_http_requests_total" in response.content.decode()


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer wrong-token",
        f"Token {METRICS_TOKEN}",
        f"Bearer {METRICS_TOKEN}x",
    ],
)
@pytest.mark.django_db
def test_metrics_with_a_missing_or_wrong_token_are_401(metrics_token, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}

    response = APIClient().get("/metrics/", **headers, HTTP_ACCEPT_LANGUAGE="en")
    chinese = APIClient().get("/metrics/", **headers)

    assert (response.status_code, chinese.status_code) == (401, 401)
    assert response.json() == {
        "code": "not_authenticated",
        "message": "A valid metrics token is required.",
        "fields": {},
    }
    assert chinese.json()["message"] == "需要有效的监控指标令牌。"
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'


@pytest.mark.django_db
def test_metrics_count_requests_by_method_route_and_status(metrics_token):
    client = APIClient()
    route = 'route="api/v1/products/<slug:slug>/"'
    line = f'shop_http_requests_total{{method="GET",{route},status="404"}}'
    before = sample(scrape(client), line) or 0.0

    client.get("/api/v1/products/nope/")
    client.get("/api/v1/products/nope-either/")
    text = scrape(client)

    assert sample(text, line) == before + 2
    assert (
        sample(
            text, 'shop_http_request_duration_seconds_count{route="api/v1/products/<slug:slug>/"}'
        )
        or 0
    ) >= 2


@pytest.mark.django_db
def test_unknown_urls_share_one_route_label(metrics_token):
    client = APIClient()
    line = 'shop_http_requests_total{method="GET",route="<unmatched>",status="404"}'
    before = sample(scrape(client), line) or 0.0

    client.get("/api/v1/random-1/")
    client.get("/wp-login.php")

    assert sample(scrape(client), line) == before + 2
    assert "random-1" not in scrape(client)


@pytest.fixture
def clean_event_counters():
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    keys = [metrics.event_key(name) for name in metrics.EVENTS]
    client.delete(*keys)
    metrics._redis_down_until = 0.0
    yield client
    client.delete(*keys)


@pytest.mark.django_db
def test_shop_events_are_counted_in_redis_and_scraped(metrics_token, clean_event_counters):
    metrics.order_placed("museum-web")
    metrics.order_placed("museum-web")
    metrics.order_placed("news-app")
    metrics.order_paid("museum-web")
    metrics.payment_failed("stripe")
    metrics.task_failed("fulfillment.shipment_book")

    text = scrape()

    assert clean_event_counters.hgetall(metrics.event_key("orders_placed")) == {
        b"museum-web": b"2",
        b"news-app": b"1",
    }
    assert sample(text, 'shop_orders_placed_total{channel="museum-web"}') == 2
    assert sample(text, 'shop_orders_placed_total{channel="news-app"}') == 1
    assert sample(text, 'shop_orders_paid_total{channel="museum-web"}') == 1
    assert sample(text, 'shop_payments_failed_total{provider="stripe"}') == 1
    assert sample(text, 'shop_celery_task_failures_total{task="fulfillment.shipment_book"}') == 1
    assert sample(text, "shop_event_counters_up") == 1


@celery_app.task(name="tests.observability.always_fails")
def always_fails() -> None:
    raise ValueError("carrier said no")


@pytest.mark.django_db
def test_a_task_failing_in_a_worker_is_counted(metrics_token, clean_event_counters, real_broker):
    always_fails.apply_async(queue=real_broker, retry=False)
    counter = metrics.event_key("celery_task_failures")

    run_worker_until(real_broker, lambda: clean_event_counters.hlen(counter) > 0)
    text = scrape()

    line = 'shop_celery_task_failures_total{task="tests.observability.always_fails"}'
    assert sample(text, line) == 1


@pytest.mark.django_db
def test_queue_depth_is_read_from_the_broker(metrics_token, settings):
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.METRICS_CELERY_QUEUES = ["hardening-q1", "hardening-q2"]
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("hardening-q1", "hardening-q2")
    client.rpush("hardening-q1", "a", "b", "c")
    try:
        text = scrape()
    finally:
        client.delete("hardening-q1", "hardening-q2")

    assert sample(text, "shop_celery_broker_up") == 1
    assert sample(text, 'shop_celery_queue_length{queue="hardening-q1"}') == 3
    assert sample(text, 'shop_celery_queue_length{queue="hardening-q2"}') == 0


@pytest.mark.django_db
def test_metrics_still_answer_when_redis_is_down(metrics_token, settings):
    # Nothing listens on port 1: a real refused connection, not a stand-in.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    metrics.order_placed("museum-web")  # must not raise
    text = scrape()

    assert sample(text, "shop_celery_broker_up") == 0
    assert sample(text, "shop_event_counters_up") == 0
    assert "shop_celery_queue_length{" not in text
    assert "shop_http_requests_total{" in text
    metrics._redis_down_until = 0.0


MULTIPROCESS_SCRIPT = """
import os, sys
import django
django.setup()
from shop.core import metrics
if sys.argv[1] == "count":
    metrics.request_observe("GET", "api/v1/products/", 200, 0.02)
else:
    sys.stdout.write(metrics.generate_latest().decode())
"""


def test_several_web_workers_add_up_in_multiprocess_mode(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings.test",
        metrics.MULTIPROCESS_ENV: str(tmp_path),
    }

    def run(mode: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", MULTIPROCESS_SCRIPT, mode],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("count")
    run("count")
    run("count")
    text = run("scrape")

    line = 'shop_http_requests_total{method="GET",route="api/v1/products/",status="200"}'
    assert sample(text, line) == 3
    assert sample(text, 'shop_http_request_duration_seconds_count{route="api/v1/products/"}') == 3
    # One counter file and one histogram file per worker process that counted.
    assert len(list(tmp_path.iterdir())) == 6

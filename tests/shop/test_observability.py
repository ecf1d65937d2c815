"""Request ids, JSON logs, secret masking, and the Prometheus metrics endpoint."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.result import _set_task_join_will_block
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from shop.celery import app as celery_app
from shop.core import metrics, observability
from shop.core.observability import (
    MASK,
    JsonFormatter,
    RequestIdFilter,
    SecretMaskingFilter,
    request_id_var,
)

REPO = Path(__file__).resolve().parents[2]
METRICS_TOKEN = "s3cret-metrics-token-for-tests"


# --- Request ids ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sane_request_id_from_the_caller_is_kept_and_returned():
    response = APIClient().get("/health/live/", HTTP_X_REQUEST_ID="shop-web.abc_123")

    assert response["X-Request-ID"] == "shop-web.abc_123"


@pytest.mark.parametrize(
    "given",
    ["", "x" * 65, "has space", "new\nline", "<script>", "a/b", "ключ"],
)
@pytest.mark.django_db
def test_an_unsafe_request_id_is_replaced_by_a_fresh_one(given):
    response = APIClient().get("/health/live/", HTTP_X_REQUEST_ID=given)

    returned = response["X-Request-ID"]
    assert returned != given
    assert len(returned) == 32
    assert int(returned, 16) >= 0


@pytest.mark.django_db
def test_each_request_without_an_id_gets_its_own():
    client = APIClient()

    first = client.get("/health/live/")["X-Request-ID"]
    second = client.get("/health/live/")["X-Request-ID"]

    assert first != second
    assert request_id_var.get() is None


@pytest.mark.django_db
def test_error_answers_carry_the_request_id_too():
    response = APIClient().get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="req-404")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-404"


@pytest.mark.django_db
def test_log_lines_written_during_a_request_carry_its_id(caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        APIClient().get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="req-log-1")

    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    RequestIdFilter().filter(records[0])
    assert records[0].request_id == "req-log-1"


# --- Request ids into Celery tasks ------------------------------------------------------------

seen_by_task: list[str | None] = []


@celery_app.task(name="tests.observability.request_id_capture")
def request_id_capture() -> None:
    seen_by_task.append(observability.request_id_get())


@pytest.fixture
def real_broker(settings):
    """Publish to the test Redis and consume with a real (in-thread) Celery worker."""
    conf = celery_app.conf
    saved = {
        "task_always_eager": conf.task_always_eager,
        "broker_url": conf.broker_url,
        "result_backend": conf.result_backend,
    }
    conf.task_always_eager = False
    conf.broker_url = django_settings.REDIS_URL
    conf.result_backend = None
    queue = f"hardening-tests-{os.getpid()}"
    seen_by_task.clear()
    try:
        yield queue
    finally:
        conf.update(saved)
        redis.Redis.from_url(django_settings.REDIS_URL).delete(queue)


def test_the_request_id_is_published_in_the_task_headers(real_broker):
    token = request_id_var.set("req-into-task")
    try:
        request_id_capture.apply_async(queue=real_broker, retry=False)
    finally:
        request_id_var.reset(token)

    raw = redis.Redis.from_url(django_settings.REDIS_URL).lrange(real_broker, 0, -1)
    assert len(raw) == 1
    headers = json.loads(raw[0])["headers"]
    assert headers[observability.TASK_HEADER] == "req-into-task"
    assert headers["task"] == "tests.observability.request_id_capture"


def test_a_worker_runs_the_task_under_the_request_id_that_enqueued_it(real_broker):
    token = request_id_var.set("req-follow-me")
    try:
        request_id_capture.apply_async(queue=real_broker, retry=False)
    finally:
        request_id_var.reset(token)
    request_id_capture.apply_async(queue=real_broker, retry=False)  # outside any request

    run_worker_until(real_broker, lambda: len(seen_by_task) == 2)

    assert seen_by_task[0] == "req-follow-me"
    # A task nobody's request started runs under an id of its own.
    assert seen_by_task[1] not in (None, "req-follow-me")
    assert len(seen_by_task) == 2


def test_a_task_run_in_process_keeps_the_request_id_and_restores_it_after():
    token = request_id_var.set("req-eager")
    try:
        request_id_capture.apply()
        assert request_id_var.get() == "req-eager"
    finally:
        request_id_var.reset(token)

    assert seen_by_task[-1] == "req-eager"


# --- JSON logs and masking --------------------------------------------------------------------


def _log_through_the_shop_handler(level: int, msg: str, *args, **kwargs) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SecretMaskingFilter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("shop.tests.observability")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        logger.log(level, msg, *args, **kwargs)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    return stream.getvalue()


def test_json_log_line_has_the_fields_an_operator_searches_by():
    token = request_id_var.set("req-json")
    try:
        line = _log_through_the_shop_handler(
            logging.INFO, "order %s placed", "SO-1", extra={"order_id": 7, "channel": "museum-web"}
        )
    finally:
        request_id_var.reset(token)

    assert line.endswith("\n")
    entry = json.loads(line)
    assert set(entry) == {"ts", "level", "logger", "message", "request_id", "order_id", "channel"}
    assert entry["level"] == "INFO"
    assert entry["logger"] == "shop.tests.observability"
    assert entry["message"] == "order SO-1 placed"
    assert entry["request_id"] == "req-json"
    assert entry["order_id"] == 7
    assert entry["channel"] == "museum-web"
    assert entry["ts"].endswith("+00:00")


def test_json_log_line_outside_a_request_and_with_an_exception():
    try:
        raise RuntimeError("carrier timed out")
    except RuntimeError:
        line = _log_through_the_shop_handler(logging.ERROR, "booking failed", exc_info=True)

    entry = json.loads(line)
    assert entry["request_id"] == "-"
    assert entry["message"] == "booking failed"
    assert "RuntimeError: carrier timed out" in entry["exc_info"]


def test_secrets_in_dict_args_are_masked():
    line = _log_through_the_shop_handler(
        logging.INFO,
        "sign-in attempt %s",
        {
            "email": "a@example.com",
            "password": "correct-horse-battery",
            "nested": {"api_key": "k-123", "Authorization": "Bearer abc", "cvc": "123"},
            "cards": [{"card_number": "4242424242424242"}],
        },
    )

    message = json.loads(line)["message"]
    assert "a@example.com" in message
    for secret in ("correct-horse-battery", "k-123", "Bearer abc", "'123'", "4242424242424242"):
        assert secret not in message
    assert message.count(MASK) == 5


def test_secrets_in_extras_are_masked():
    line = _log_through_the_shop_handler(
        logging.INFO,
        "stripe call",
        extra={
            "client_secret": "pi_1_secret_2",
            "payload": {"token": "tok_visa", "amount": "128.00"},
            "order_id": 3,
        },
    )

    entry = json.loads(line)
    assert entry["client_secret"] == MASK
    assert entry["payload"] == {"token": MASK, "amount": "128.00"}
    assert entry["order_id"] == 3


def test_secret_pairs_and_card_numbers_in_message_text_are_masked():
    line = _log_through_the_shop_handler(
        logging.WARNING,
        "retry password=hunter2 token: abc.def api_key='k1' "
        "card 4242 4242 4242 4242 order 20261125000123",
    )

    message = json.loads(line)["message"]
    assert message == (
        f"retry password={MASK} token: {MASK} api_key={MASK} card {MASK} order 20261125000123"
    )


def test_configured_logging_masks_and_stamps_every_record():
    handler = logging.getLogger().handlers[0]
    names = {type(f).__name__ for f in handler.filters}

    assert names >= {"SecretMaskingFilter", "RequestIdFilter"}


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


def run_worker_until(queue: str, done) -> None:
    import celery.contrib.testing.tasks  # noqa: F401  (the worker's ping task)

    waiter = threading.Event()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    with start_worker(
        celery_app,
        queues=[queue],
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        loglevel="WARNING",
    ):
        for _ in range(100):
            if done():
                break
            waiter.wait(0.1)
    # The worker sets up logging for itself; the rest of the suite keeps its own.
    root.setLevel(level)
    root.handlers[:] = handlers
    # Starting a worker in this process marks joins as blocking for good; later tests
    # that wait for an eager task's result must still be allowed to.
    _set_task_join_will_block(False)


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

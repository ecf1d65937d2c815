"""Request ids (into Celery tasks too), JSON logs and secret masking."""

from __future__ import annotations

import io
import json
import logging

import pytest
import redis
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from shop.celery import app as celery_app
from shop.core import observability
from shop.core.observability import (
    MASK,
    JsonFormatter,
    RequestIdFilter,
    SecretMaskingFilter,
    request_id_var,
)
from tests.shop.core.in_thread_worker import run_worker_until

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
    seen_by_task.clear()
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

"""Tasks a request enqueues are published on one kept broker channel, as the message
Celery's ``apply_async`` would send: same queue, same headers, same body, so a worker
cannot tell them apart. Checked on the real Redis."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time

import pytest
import redis

from fulfillment.models import Shipment
from fulfillment.tasks import order_email_send, order_paid
from shop.core import tasks
from shop.core.observability import TASK_HEADER
from shop.orders.models import Order, OrderStatus
from tests.celery_workers import broker_flush, broker_url, tasks_sent_to
from tests.factories import order_with_stock


@pytest.fixture
def broker():
    url = broker_url()
    broker_flush(url)
    with tasks_sent_to(url):
        yield redis.Redis.from_url(url)
    tasks._publisher_forget()
    broker_flush(url)


def _messages(client: redis.Redis, queue: str) -> list[dict]:
    return [json.loads(raw) for raw in reversed(client.lrange(queue, 0, -1))]


def _body(message: dict) -> list:
    return json.loads(base64.b64decode(message["body"]))


def test_a_published_message_is_the_one_apply_async_sends(broker):
    order_email_send.apply_async(args=(7, "order_confirmation"), retry=False)
    assert tasks.enqueue(order_email_send, 7, "order_confirmation") is True

    celerys, ours = _messages(broker, "notifications")

    assert ours.keys() == celerys.keys()
    assert {k: v for k, v in ours.items() if k not in ("headers", "properties", "body")} == {
        k: v for k, v in celerys.items() if k not in ("headers", "properties", "body")
    }
    assert (
        _body(ours)
        == _body(celerys)
        == [
            [7, "order_confirmation"],
            {},
            {"callbacks": None, "errbacks": None, "chain": None, "chord": None},
        ]
    )
    differ = {"id", "root_id"}
    assert ours["headers"].keys() == celerys["headers"].keys()
    assert {k: v for k, v in ours["headers"].items() if k not in differ} == {
        k: v for k, v in celerys["headers"].items() if k not in differ
    }
    assert ours["headers"]["root_id"] == ours["headers"]["id"]
    assert ours["properties"].keys() == celerys["properties"].keys()
    for name in ("delivery_mode", "delivery_info", "priority", "body_encoding", "reply_to"):
        assert ours["properties"][name] == celerys["properties"][name], name
    assert ours["properties"]["correlation_id"] == ours["headers"]["id"]
    assert ours["properties"]["delivery_tag"] != celerys["properties"]["delivery_tag"]


def test_each_task_goes_to_its_queue_with_its_time_limits(broker):
    tasks.enqueue(order_paid, 11)
    tasks.enqueue(order_email_send, 11, "payment_received")

    (paid,) = _messages(broker, "fulfillment")
    (email,) = _messages(broker, "notifications")

    assert paid["headers"]["task"] == "fulfillment.order_paid"
    assert email["headers"]["task"] == "fulfillment.order_email_send"
    assert paid["headers"]["timelimit"] == [order_paid.time_limit, order_paid.soft_time_limit]
    assert _body(paid)[0] == [11]


def test_the_request_id_travels_in_the_headers(broker):
    from shop.core import observability

    token = observability.request_id_var.set("req-publisher-1")
    try:
        tasks.enqueue(order_paid, 12)
    finally:
        observability.request_id_var.reset(token)

    (message,) = _messages(broker, "fulfillment")
    assert message["headers"][TASK_HEADER] == "req-publisher-1"


def test_one_channel_is_kept_for_the_messages_of_a_thread(broker):
    tasks.enqueue(order_paid, 1)
    first = tasks._local.publisher
    tasks.enqueue(order_paid, 2)

    assert tasks._local.publisher is first
    assert len(_messages(broker, "fulfillment")) == 2


def test_a_dead_broker_answers_false_at_once_and_a_live_one_is_used_again():
    try:
        with tasks_sent_to("redis://127.0.0.1:1/0"):
            started = time.monotonic()
            assert tasks.enqueue(order_paid, 3) is False
            assert tasks.enqueue(order_paid, 3) is False
            assert time.monotonic() - started < 1.5
            assert getattr(tasks._local, "publisher", None) is None

        url = broker_url()
        broker_flush(url)
        with tasks_sent_to(url):
            assert tasks.enqueue(order_paid, 4) is True
            assert len(_messages(redis.Redis.from_url(url), "fulfillment")) == 1
    finally:
        tasks._publisher_forget()
        broker_flush(broker_url())


@pytest.mark.django_db
def test_in_process_tasks_run_at_once_without_a_broker():
    order = order_with_stock(status=OrderStatus.PAID)

    assert tasks.enqueue(order_paid, order.pk) is True

    # What order_paid does, done by the time enqueue returns: the parcel is made.
    assert Shipment.objects.filter(order=order).count() == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLING
    assert getattr(tasks._local, "publisher", None) is None


_FIRST_REQUESTS_AT_ONCE = """
import threading

import django

django.setup()
from shop.core.tasks import task_named

barrier = threading.Barrier(16)
errors = []


def first_request():
    barrier.wait()
    try:
        task_named("fulfillment.order_email_send")
    except Exception as exc:
        errors.append(type(exc).__name__)


threads = [threading.Thread(target=first_request) for _ in range(16)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(len(errors))
"""


def test_threads_of_a_new_process_all_find_a_task_by_name():
    # A threaded web worker's first requests arrive together: each must find the task it
    # sends once its order is committed (one that did not answered a 500 for a placed
    # order). A fresh interpreter, since this one has every task loaded already.
    for _ in range(3):
        ran = subprocess.run(
            [sys.executable, "-c", _FIRST_REQUESTS_AT_ONCE],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "shop.settings.test"},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert ran.stdout.strip().splitlines()[-1] == "0", ran.stderr[-2000:]

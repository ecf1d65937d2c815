"""Prometheus metrics for operators, served at ``/metrics/`` behind a bearer token.

Two kinds of numbers, kept where every process can add to them:

- HTTP requests and latencies are counted in the web process that served them. With
  several gunicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory that
  all workers share (wiped at each start): every worker writes its numbers there and a
  scrape adds them up (prometheus_client's multiprocess mode). Without it the numbers
  live in the process's memory, which is right for one process (runserver, tests).
- Shop events (orders placed and paid, failed payments, failed tasks) happen in web
  workers and in Celery workers in other containers, so they are counted in Redis
  (one hash per metric, field = label value) and read at scrape time. Without Redis
  (a developer's machine) they are counted in memory.

The Celery queue lengths are read from the broker at scrape time. Metrics never get in
the way of a sale: every failure to count is logged and swallowed.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from rest_framework.exceptions import MethodNotAllowed

from shop.core.errors import NotFound, json_error

logger = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED_ROUTE = "<unmatched>"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Not registered anywhere: each scrape builds its registry (see ``scrape_registry``).
HTTP_REQUESTS = Counter(
    "shop_http_requests",
    "HTTP requests answered, by method, URL route and status code.",
    ["method", "route", "status"],
    registry=None,
)
HTTP_LATENCY = Histogram(
    "shop_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL route.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)

# name -> (help, label name) of the shop event counters.
EVENTS: dict[str, tuple[str, str]] = {
    "orders_placed": ("Orders placed, by sales channel.", "channel"),
    "orders_paid": ("Orders paid, by sales channel.", "channel"),
    "payments_failed": ("Payment attempts that failed, by provider.", "provider"),
    "payments_held_for_review": (
        "Payments held for staff review (the provider confirmed another amount or currency),"
        " by provider.",
        "provider",
    ),
    "refunds_failed": ("Refunds the provider refused or failed, by provider.", "provider"),
    "celery_task_failures": ("Celery tasks that ended in an error, by task.", "task"),
}


# --- Shop events ----------------------------------------------------------------------------


def order_placed(channel_code: str) -> None:
    _event_add("orders_placed", channel_code)


def order_paid(channel_code: str) -> None:
    _event_add("orders_paid", channel_code)


def payment_failed(provider: str) -> None:
    _event_add("payments_failed", provider)


def payment_held_for_review(provider: str) -> None:
    _event_add("payments_held_for_review", provider)


def refund_failed(provider: str) -> None:
    _event_add("refunds_failed", provider)


def task_failed(task_name: str) -> None:
    _event_add("celery_task_failures", task_name)


def event_key(name: str) -> str:
    """The Redis hash holding one event counter (namespaced like the cache)."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "shop"
    return f"{prefix}:metrics:{name}"


_local_events: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
_local_lock = threading.Lock()
_redis_clients: dict[str, Any] = {}
# After a Redis failure, counting pauses this long so a dead Redis costs no time per sale.
_REDIS_RETRY_SECONDS = 5.0
_redis_down_until = 0.0


def _redis(url: str) -> Any:
    import redis

    client = _redis_clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        _redis_clients[url] = client
    return client


def _event_add(name: str, label: str, amount: int = 1) -> None:
    global _redis_down_until
    label = str(label or "unknown")[:100]
    url = settings.REDIS_URL
    if not url:
        with _local_lock:
            _local_events[name][label] += amount
        return
    if time.monotonic() < _redis_down_until:
        return
    try:
        _redis(url).hincrby(event_key(name), label, amount)
    except Exception as exc:  # a lost count must never fail an order or a task
        _redis_down_until = time.monotonic() + _REDIS_RETRY_SECONDS
        logger.warning("metrics: could not count %s (%s)", name, type(exc).__name__)


def _event_values(name: str) -> dict[str, float]:
    url = settings.REDIS_URL
    if not url:
        with _local_lock:
            return dict(_local_events[name])
    raw = _redis(url).hgetall(event_key(name))
    return {key.decode(): float(value) for key, value in raw.items()}


class EventCollector:
    """Shop event counters, read from Redis (or memory) at scrape time."""

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "shop_event_counters_up", "1 when the shop event counters could be read."
        )
        families = []
        try:
            for name, (help_text, label) in EVENTS.items():
                family = CounterMetricFamily(f"shop_{name}", help_text, labels=[label])
                for value, count in sorted(_event_values(name).items()):
                    family.add_metric([value], count)
                families.append(family)
        except Exception as exc:  # Redis down: say so instead of failing the scrape
            logger.warning("metrics: event counters unreadable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


class QueueDepthCollector:
    """Tasks waiting in each Celery queue, read from the Redis broker at scrape time."""

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        queues: Iterable[str] = settings.METRICS_CELERY_QUEUES
        broker_url = settings.CELERY_BROKER_URL or ""
        up = GaugeMetricFamily("shop_celery_broker_up", "1 when the Redis broker answered.")
        length = GaugeMetricFamily(
            "shop_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"]
        )
        if not broker_url.startswith(("redis://", "rediss://", "unix://")):
            # In-process tasks (no broker): nothing ever waits.
            up.add_metric([], 1)
            for queue in queues:
                length.add_metric([queue], 0)
            yield up
            yield length
            return
        try:
            pipe = _redis(broker_url).pipeline(transaction=False)
            for queue in queues:
                pipe.llen(queue)
            counts = pipe.execute()
        except Exception as exc:  # broker down: the scrape still answers
            logger.warning("metrics: broker unreachable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for queue, count in zip(queues, counts, strict=True):
            length.add_metric([queue], count)
        yield up
        yield length


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROCESS_ENV))


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if multiprocess_mode():
        MultiProcessCollector(registry)
    else:
        registry.register(HTTP_REQUESTS)
        registry.register(HTTP_LATENCY)
    registry.register(EventCollector())  # type: ignore[arg-type]
    registry.register(QueueDepthCollector())  # type: ignore[arg-type]
    return registry


def generate_latest() -> bytes:
    return _generate_latest(scrape_registry())


# --- HTTP ------------------------------------------------------------------------------------


def request_observe(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in _METHODS else "OTHER"
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(route).observe(seconds)


class MetricsMiddleware:
    """Count and time every request by its URL route (not its path, to bound the labels)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match is not None else UNMATCHED_ROUTE
        try:
            request_observe(
                request.method or "", route, response.status_code, time.perf_counter() - started
            )
        except Exception:  # counting must never break an answer
            logger.exception("metrics: could not count a request")
        return response


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; needs ``Authorization: Bearer <METRICS_TOKEN>``.

    Without a configured token the endpoint is open while DEBUG is on (a developer's
    machine) and does not exist otherwise.
    """
    token: str = settings.METRICS_TOKEN
    if not token and not settings.DEBUG:
        return json_error(request, "not_found", NotFound.message, 404)
    if token:
        scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            response = json_error(
                request, "not_authenticated", _("A valid metrics token is required."), 401
            )
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    if request.method not in ("GET", "HEAD"):
        not_allowed = MethodNotAllowed(request.method or "")
        response = json_error(request, "method_not_allowed", str(not_allowed.detail), 405)
        response["Allow"] = "GET, HEAD"
        return response
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)


# Mounted by shop/urls.py as ``path("metrics/", include("shop.core.metrics"))``.
urlpatterns = [path("", metrics_view, name="metrics")]

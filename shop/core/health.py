"""Health endpoints for operators and load balancers.

- ``/health/live/``: the process answers (no I/O): a container orchestrator restarts a
  web process that stops answering it.
- ``/health/ready/``: the database answers; Redis (cache, broker) is checked and
  reported, but its loss never fails readiness, since the shop keeps selling without
  Redis (throttles open, tasks found again by the sweeps). A load balancer that probes
  this keeps every web node during a Redis blip.
- ``/health/``: every dependency, 503 when any is down: for operators and alerts.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the reason is reported
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_redis(url: str) -> dict:
    if not url:
        return {"ok": True, "mode": "not configured"}
    import redis

    started = time.perf_counter()
    try:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        client.ping()
    except Exception as exc:  # any failure means "down"; the reason is reported
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _checks() -> dict[str, dict]:
    broker_url = settings.CELERY_BROKER_URL
    return {
        "database": _check_database(),
        "redis": _check_redis(getattr(settings, "CACHE_URL", "") or settings.REDIS_URL),
        "broker": (
            {"ok": True, "mode": "in-process"}
            if settings.CELERY_TASK_ALWAYS_EAGER or broker_url.startswith("memory")
            else _check_redis(broker_url)
        ),
    }


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Database, Redis (cache) and broker status; 503 when any is down."""
    checks = _checks()
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "degraded", "checks": checks}, status=200 if ok else 503
    )


@never_cache
def live(request: HttpRequest) -> JsonResponse:
    """The process answers; no checks (also the ceiling for benchmarks)."""
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """Ready to take traffic: 200 while the database answers ("degraded" when Redis does
    not), 503 only when the database does not."""
    checks = _checks()
    if not checks["database"]["ok"]:
        status, code = "unavailable", 503
    elif all(check["ok"] for check in checks.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, "checks": checks}, status=code)

"""`make bench`: seed a benchmark shop, serve it with gunicorn on PostgreSQL and Redis,
drive it from a separate load-generator process, print a table and write JSON.

Environment (all optional):
  BENCH_QUICK=1        a small, fast run (smaller data, shorter phases)
  BENCH_WORKERS=3      gunicorn worker processes (the production default)
  BENCH_THREADS=8      threads per worker (more than 1: the gthread worker, the
                       production default; BENCH_WORKERS=4 BENCH_THREADS=1 for the
                       sync workers of the earlier runs in bench/README.md)
  BENCH_CELERY=worker  "worker": one Celery worker (concurrency 1) and Celery beat run
                       through every scenario; "eager": tasks run inside the request
  BENCH_PROVIDER=stripe  how shoppers pay: "stripe" (the shop's Stripe provider against
                       the local fake of Stripe's API, bench/provider.py) or "fake"
  BENCH_PROVIDER_CREATE_MS=100, BENCH_PROVIDER_READ_MS=50  the fake Stripe's delays
  BENCH_ONLY=checkout,drop  only these sections (catalog, checkout, drop, sustained,
                       reports), with the ceiling before and after; the catalog is still
                       seeded for the selling sections
  BENCH_DATABASE=coshop_bench, BENCH_REDIS_URL=redis://127.0.0.1:6379 with
  BENCH_REDIS_DB=9, BENCH_KEEP_DB=1 (keep the database)
  BENCH_CHECKOUT_SECONDS, BENCH_SUSTAINED_SECONDS, BENCH_SUSTAINED_RATE,
  BENCH_SUSTAINED_STEPS  override the plan's checkout and sustained phases
  BENCH_PORT, BENCH_PROVIDER_PORT  the ports gunicorn and the fake Stripe listen on
                       (free ones when unset)

Everything started here (gunicorn, the worker, load generators) is stopped on the way
out, also after a failure or Ctrl-C; the Redis database is flushed and the benchmark
database dropped unless BENCH_KEEP_DB is set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
import secrets
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import plans, report, scenarios  # noqa: E402
from bench.meter import Meter  # noqa: E402
from bench.stack import Stack, free_port  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
CELERY = os.environ.get("BENCH_CELERY", "worker")
PROVIDER = os.environ.get("BENCH_PROVIDER", "stripe")
PROVIDER_CREATE_MS = float(os.environ.get("BENCH_PROVIDER_CREATE_MS", "100"))
PROVIDER_READ_MS = float(os.environ.get("BENCH_PROVIDER_READ_MS", "50"))
WEBHOOK_SECRET = f"whsec_bench{secrets.token_hex(8)}"
DB_NAME = os.environ.get("BENCH_DATABASE", "coshop_bench")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "9"))
REDIS_URL = f"{os.environ.get('BENCH_REDIS_URL', 'redis://127.0.0.1:6379').rstrip('/')}/{REDIS_DB}"
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
CACHE_SECONDS = os.environ.get("CATALOG_CACHE_SECONDS", "10")
ONLY = frozenset(s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip())
SECTIONS = frozenset({"catalog", "checkout", "drop", "sustained", "reports"})


def server_env(port: int, provider_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY=f"bench-{secrets.token_urlsafe(32)}",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"{PG}/{DB_NAME}",
        DATABASE_CONN_MAX_AGE="600",
        REDIS_URL=REDIS_URL,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="true" if CELERY == "eager" else "false",
        DJANGO_SECURE_SSL_REDIRECT="false",
        THROTTLE_SIGN_IN="1000000/min",
        THROTTLE_REGISTRATION="1000000/min",
        THROTTLE_CART="1000000/min",
        THROTTLE_CHECKOUT="1000000/min",
        THROTTLE_TRUSTED_PROXIES="0",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SHOP_PAYMENT_PROVIDER="fake",
        # Stripe, reached over HTTP at the local fake of its API (bench/provider.py).
        STRIPE_SECRET_KEY="sk_test_bench",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=f"http://127.0.0.1:{provider_port}",
        # The simulated carrier picks parcels up within the hour, not during the run.
        SHOP_SIMULATED_PICKUP_SECONDS="3600",
        SHOP_SIMULATED_DELIVERY_SECONDS="7200",
        CATALOG_CACHE_SECONDS=CACHE_SECONDS,
        LOG_LEVEL="WARNING",
        LOG_FORMAT="plain",
        PYTHONPATH=str(ROOT),
    )
    return env


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _run_record(plan: Any, started: dt.datetime) -> dict[str, Any]:
    """What the results file records of this run before any measurement: when, how big,
    on what machine and stack."""
    return {
        "started": started.isoformat(timespec="seconds"),
        "quick": QUICK,
        "only": sorted(ONLY),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "stack": {
            "server": f"gunicorn, {WORKERS} worker processes"
            + (f" x {THREADS} threads (gthread)" if THREADS > 1 else " (sync)"),
            "database": "PostgreSQL 127.0.0.1:5432 (persistent connections)",
            "cache": f"Redis {REDIS_URL}, catalog answers kept {CACHE_SECONDS} s",
            "tasks": "one Celery worker (concurrency 1) and beat, running on the same "
            "machine through every scenario"
            if CELERY == "worker"
            else "CELERY_TASK_ALWAYS_EAGER: tasks run inside the request",
            "payments": f"Stripe provider over HTTP at a local fake (create "
            f"{PROVIDER_CREATE_MS:g} ms, read {PROVIDER_READ_MS:g} ms)"
            if PROVIDER == "stripe"
            else "the shop's fake provider",
            "load": "a separate asyncio process, HTTP/1.1 keep-alive, loopback only",
        },
        "plan": plan.as_dict(),
        "seed": {},
        "results": [],
    }


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    if ONLY - SECTIONS:
        print(f"BENCH_ONLY: unknown {', '.join(sorted(ONLY - SECTIONS))}; know {sorted(SECTIONS)}")
        return 2
    plan = plans.QUICK if QUICK else plans.FULL
    for knob, field in (
        ("BENCH_CHECKOUT_SECONDS", "checkout_seconds"),
        ("BENCH_SUSTAINED_SECONDS", "sustained_seconds"),
        ("BENCH_SUSTAINED_RATE", "sustained_rate"),
        ("BENCH_SUSTAINED_STEPS", "sustained_steps"),
    ):
        if os.environ.get(knob):
            plan = dataclasses.replace(
                plan, **{field: type(getattr(plan, field))(os.environ[knob])}
            )
    port = int(os.environ.get("BENCH_PORT") or free_port())
    provider_port = int(os.environ.get("BENCH_PROVIDER_PORT") or free_port())
    env = server_env(port, provider_port)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    logs = Path(tempfile.mkdtemp(prefix="coshop-bench-"))
    stack = Stack(env, logs)
    started = dt.datetime.now(dt.UTC)
    run = _run_record(plan, started)
    print(f"coshop bench: logs in {logs}", flush=True)
    try:
        scenarios.database_prepare(PG, DB_NAME, REDIS_URL, env)
        import django

        django.setup()
        meter = Meter(pg_url=PG, database=DB_NAME, redis_url=REDIS_URL, worker=CELERY == "worker")
        provider_spec = {"provider": PROVIDER, "provider_port": provider_port}
        bench = scenarios.Bench(
            plan=plan, port=port, stack=stack, run=run, meter=meter, provider_spec=provider_spec
        )
        bench.seed_world()
        stack.web_start(port=port, workers=WORKERS, threads=THREADS)
        if PROVIDER == "stripe":
            stack.provider_start(
                port=provider_port,
                shop_port=port,
                secret=WEBHOOK_SECRET,
                create_ms=PROVIDER_CREATE_MS,
                read_ms=PROVIDER_READ_MS,
            )
        if CELERY == "worker":
            stack.worker_start()
            stack.beat_start()
        bench.all(ONLY)
    except KeyboardInterrupt:
        print("\ninterrupted; stopping what was started", flush=True)
        run["interrupted"] = True
        return 130
    finally:
        stack.stop_all()
        run["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        run["seconds"] = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1)
        scenarios.cleanup(PG, DB_NAME, REDIS_URL, keep=bool(os.environ.get("BENCH_KEEP_DB")))
        path = ROOT / "bench" / "results" / f"{started:%Y%m%dT%H%M%SZ}.json"
        path.write_text(json.dumps(run, indent=2, ensure_ascii=False, default=str))
        print(report.table(run), flush=True)
        print(f"\nresults: {path.relative_to(ROOT)}  ({run['seconds']} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

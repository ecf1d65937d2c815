"""CPU per order in one process: the figure to trust on a shared machine.

``python bench/cpu.py [orders] [--profile FILE]`` seeds its own small shop (the
benchmark's world and 1,000 products, database ``$BENCH_DATABASE_cpu``), then places
buy-now orders (``POST /api/v1/orders/`` with the fake provider) and confirms their
payments through Django's whole request stack (the test client: middleware, DRF,
serializers, the ORM on PostgreSQL; tasks are sent to Redis, not run), 20 to warm up
and then ``orders`` (150) measured. It prints the process's CPU time per order, which
hardly moves when other work shares the cores where throughput halves, and the
statements of one order. ``BENCH_CPU_KEEP=1`` keeps the database for the next run,
which then reuses it; under callgrind (see ``_callgrind``) it counts the measured
orders' instructions. ``--profile FILE`` writes cProfile's statistics of the
measured orders to FILE (read them with ``python -m pstats FILE``).
"""

from __future__ import annotations

import cProfile
import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run, scenarios, seed  # noqa: E402

ADDRESS = {
    "name": "王小明",
    "phone": "13800000000",
    "country": "CN",
    "province": "北京市",
    "city": "北京市",
    "district": "西城区",
    "street": "前海西街17号",
    "postcode": "100009",
}


def place(client: Any, sku: str, label: str = "cpu") -> tuple[int, str]:
    """A buy-now order of one ``sku`` with the fake provider: its payment's id and e-mail."""
    email = f"{label}-{uuid.uuid4().hex[:12]}@example.com"
    answer = client.post(
        "/api/v1/orders/?channel=museum-web",
        data=json.dumps(
            {
                "lines": [{"sku": sku, "quantity": 1}],
                "email": email,
                "shipping_address": ADDRESS,
                "shipping_method": "standard",
                "payment_provider": "fake",
            }
        ),
        content_type="application/json",
        headers={"Idempotency-Key": f"{label}-{uuid.uuid4().hex}"},
    )
    assert answer.status_code == 201, answer.content
    return int(answer.json()["payment"]["id"]), email


def pay(client: Any, payment_id: int, email: str) -> None:
    """The fake provider's confirmation of a payment, as the shopper's page sends it."""
    confirmed = client.post(
        f"/api/v1/payments/{payment_id}/fake/confirm/",
        data=json.dumps({"outcome": "succeed", "email": email}),
        content_type="application/json",
    )
    assert confirmed.status_code == 200, confirmed.content


def _order(client: Any, sku: str) -> None:
    pay(client, *place(client, sku))


def _callgrind(state: str) -> None:
    """Under ``valgrind --tool=callgrind --collect-atstart=no`` with BENCH_CPU_CALLGRIND=1:
    instructions are counted for the measured orders only (an exact A/B figure)."""
    if os.environ.get("BENCH_CPU_CALLGRIND"):
        subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=False)  # noqa: S603, S607


def _exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{run.PG}/postgres") as admin:
        return bool(
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        )


def main() -> int:
    args = sys.argv[1:]
    profile = None
    if "--profile" in args:
        at = args.index("--profile")
        profile = args[at + 1]
        del args[at : at + 2]
    orders = int(args[0]) if args else 150
    name = f"{run.DB_NAME}_cpu"
    env = run.server_env(0, 0)
    env["DATABASE_URL"] = f"{run.PG}/{name}"
    env["STRIPE_SECRET_KEY"] = ""
    env["DJANGO_ALLOWED_HOSTS"] += ",testserver"
    # A Redis database of its own, beside a running benchmark's.
    redis_url = env["REDIS_URL"].rsplit("/", 1)[0] + f"/{run.REDIS_DB + 1}"
    env["REDIS_URL"] = env["CELERY_BROKER_URL"] = redis_url
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    reuse = bool(os.environ.get("BENCH_CPU_KEEP")) and _exists(name)
    if not reuse:
        scenarios.database_prepare(run.PG, name, redis_url, env)
    try:
        import django

        django.setup()
        from django.db import connection
        from django.test import Client

        if not reuse:
            world = seed.world_create(dt.datetime.now(dt.UTC))
            seed.catalog_grow(world, to=1000, now=dt.datetime.now(dt.UTC))
        skus = [seed.variant_sku(i, 0) for i in range(0, 1000, 7)]
        client = Client()
        for n in range(20):
            _order(client, skus[n % len(skus)])
        statements: list[str] = []
        with connection.execute_wrapper(
            lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)
        ):
            _order(client, skus[0])
        profiler = cProfile.Profile() if profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        _callgrind("on")
        for n in range(orders):
            _order(client, skus[(n + 1) % len(skus)])
        _callgrind("off")
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        cpu_ms = (time.process_time() - cpu) * 1000 / orders
        wall_ms = (time.perf_counter() - started) * 1000 / orders
        print(
            f"CPU per order {cpu_ms:.1f} ms (wall {wall_ms:.1f} ms), {len(statements)} statements, "
            f"{orders} orders, load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    finally:
        scenarios.cleanup(run.PG, name, redis_url, keep=bool(os.environ.get("BENCH_CPU_KEEP")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CPU per order in one process: the figure to trust on a shared machine.

``python bench/cpu.py [orders] [--profile FILE]`` seeds its own small shop (the
benchmark's world and 1,000 products, database ``$BENCH_DATABASE_cpu``), then places
buy-now orders (``POST /api/v1/orders/`` with the fake provider) and confirms their
payments through Django's whole request stack (the test client: middleware, DRF,
serializers, the ORM on PostgreSQL; tasks are sent to Redis, not run), 20 to warm up
and then ``orders`` (150) measured. It prints the process's CPU time per order, which
hardly moves when other work shares the cores where throughput halves, and the
statements of one order. ``BENCH_CPU_KEEP=1`` keeps the database for the next run,
which then reuses it; under callgrind (see ``bench.inprocess.callgrind``) it counts the measured
orders' instructions. ``--profile FILE`` writes cProfile's statistics of the
measured orders in CPU time (``time.process_time``: not the waits for PostgreSQL) to
FILE (read them with ``python -m pstats FILE``).

It also prints the CPU time and the statements of each request kind: placing (the
buy-now request, which also starts the payment) and paying (the confirmation).
``--part place`` or ``--part pay`` measures one kind alone: the measured orders are
then all placed first and all paid after, and callgrind's count and ``--profile``
cover only that kind's requests. Two runs, one per part, give the instructions of
placing and of paying an order; their sum came within 1% of the whole order's.
"""

from __future__ import annotations

import cProfile
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inprocess, run, seed  # noqa: E402

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


def _order(client: Any, sku: str, spent: list[float] | None = None) -> None:
    """One order placed then paid; ``spent`` adds each request's CPU seconds (place, pay)."""
    cpu = time.process_time()
    placed = place(client, sku)
    paid_from = time.process_time()
    pay(client, *placed)
    if spent is not None:
        spent[0] += paid_from - cpu
        spent[1] += time.process_time() - paid_from


def _statements(client: Any, sku: str) -> tuple[int, int]:
    """The statements of placing one order and of paying it."""
    from django.db import connection

    counted: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: counted.append(sql) or execute(sql, *rest)
    ):
        placed = place(client, sku)
        placing = len(counted)
        pay(client, *placed)
    return placing, len(counted) - placing


def _window(profiler: cProfile.Profile | None, on: bool) -> None:
    """Open or close what counts: cProfile's statistics and callgrind's instructions."""
    if profiler and on:
        profiler.enable()
    inprocess.callgrind("on" if on else "off")
    if profiler and not on:
        profiler.disable()


def _measure(
    client: Any, skus: list[str], orders: int, part: str, profiler: cProfile.Profile | None
) -> list[float]:
    """The measured orders, counted whole (``part`` both) or one request kind only:
    CPU seconds spent placing and paying."""
    spent = [0.0, 0.0]
    wanted = [skus[(n + 1) % len(skus)] for n in range(orders)]
    if part == "both":
        _window(profiler, True)
        for sku in wanted:
            _order(client, sku, spent)
        _window(profiler, False)
        return spent
    placed = []
    _window(profiler, part == "place")
    cpu = time.process_time()
    for sku in wanted:
        placed.append(place(client, sku))
    spent[0] = time.process_time() - cpu
    _window(profiler, part == "pay")
    cpu = time.process_time()
    for payment_id, email in placed:
        pay(client, payment_id, email)
    spent[1] = time.process_time() - cpu
    _window(profiler, False)
    return spent


def main() -> int:
    args = sys.argv[1:]
    profile, part = inprocess.profile_option(args), "both"
    if "--part" in args:
        at = args.index("--part")
        part = args[at + 1]
        del args[at : at + 2]
        if part not in ("place", "pay"):
            raise SystemExit("--part place or --part pay")
    orders = int(args[0]) if args else 150
    name = f"{run.DB_NAME}_cpu"
    env, redis_url = inprocess.environment(name, 1, STRIPE_SECRET_KEY="")
    reuse = inprocess.database_open(name, redis_url, env)
    try:
        import django

        django.setup()
        from django.test import Client

        if not reuse:
            inprocess.catalog_seed(1000)
        skus = [seed.variant_sku(i, 0) for i in range(0, 1000, 7)]
        client = Client()
        for n in range(20):
            _order(client, skus[n % len(skus)])
        placing, paying = _statements(client, skus[0])
        profiler = cProfile.Profile(time.process_time) if profile else None
        started = time.perf_counter()
        spent = _measure(client, skus, orders, part, profiler)
        if profiler:
            profiler.dump_stats(profile)
        place_ms, pay_ms = (s * 1000 / orders for s in spent)
        wall_ms = (time.perf_counter() - started) * 1000 / orders
        print(
            f"CPU per order {place_ms + pay_ms:.1f} ms (placing {place_ms:.1f}, paying "
            f"{pay_ms:.1f}; wall {wall_ms:.1f} ms), {placing + paying} statements (placing "
            f"{placing}, paying {paying}), {orders} orders, counted: {part}, "
            f"load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    finally:
        inprocess.database_close(name, redis_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

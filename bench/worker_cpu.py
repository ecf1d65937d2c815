"""The Celery worker's CPU per order in one process, without a broker.

``python bench/worker_cpu.py [orders] [--profile FILE]`` seeds its own small shop (the
benchmark's world and 1,000 products, database ``$BENCH_DATABASE_worker``), then, as a
shopper and the worker would one after the other:

1. places ``orders`` buy-now orders with the fake provider (``POST /api/v1/orders/``,
   through Django's whole request stack), their tasks published to an in-memory broker
   (kombu's ``memory://``: no Redis, no other process);
2. runs the tasks they queued (the order e-mail) as the worker runs a message: decoded
   and traced by Celery's own ``trace_task_ret``, with the worker's Django fixup
   (connections checked around each task), on PostgreSQL -- **measured**;
3. pays every order (the fake provider's confirmation), publishing again;
4. runs what the payments queued, and what those tasks queue in turn, until nothing is
   left but tasks due later (a tracking poll an hour away: the worker would hold them)
   -- **measured**.

So each order's tasks run as they do when the worker keeps up (the order e-mail before
the payment), and the figure is the worker's own work per order, whatever else the
machine does: CPU time (``time.process_time``) and, under callgrind with
``BENCH_CPU_CALLGRIND=1``, instructions (collection is switched on for steps 2 and 4
only). It prints the tasks per order, CPU per order and per task by name, statements per
task, and how many tasks a worker process takes per second of this mix at this CPU
cost. 20 orders warm up first. ``BENCH_CPU_KEEP=1`` keeps the database for the next run.

    BENCH_CPU_CALLGRIND=1 valgrind --tool=callgrind --instr-atstart=no \\
        .venv/bin/python bench/worker_cpu.py 40
"""

from __future__ import annotations

import cProfile
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inprocess, run, seed  # noqa: E402
from bench.cpu import pay, place  # noqa: E402

QUEUES = ("default", "fulfillment", "notifications", "reports")


class Worker:
    """Takes the messages of the in-memory broker and runs them as a worker process does."""

    def __init__(self) -> None:
        from celery import current_app
        from celery.fixups.django import DjangoWorkerFixup

        self.app = current_app._get_current_object()
        self.app.loader.import_default_modules()
        DjangoWorkerFixup(self.app).install()  # what a worker connects around each task
        self.connection = self.app.connection_for_read()
        self.channel = self.connection.default_channel
        self.cpu: Counter[str] = Counter()
        self.runs: Counter[str] = Counter()
        self.held: Counter[str] = Counter()  # due later: a worker keeps them waiting

    def pending(self) -> list[Any]:
        """Every message waiting now, in the order of the queues."""
        messages = []
        for queue in QUEUES:
            while (message := self.channel.basic_get(queue, no_ack=True)) is not None:
                messages.append(message)
        return messages

    def run(self, message: Any) -> None:
        from celery.app.trace import trace_task_ret

        headers = message.headers
        name = headers["task"]
        if headers.get("eta"):
            self.held[name] += 1
            return
        request = {**headers, "delivery_info": {"routing_key": ""}, "properties": {}}
        started = time.process_time()
        failed, result, _ = trace_task_ret(
            name,
            headers["id"],
            request,
            message.body,
            message.content_type,
            message.content_encoding,
            app=self.app,
        )
        self.cpu[name] += time.process_time() - started
        self.runs[name] += 1
        assert not failed, (name, result)

    def run_all(self) -> None:
        while messages := self.pending():
            for message in messages:
                self.run(message)


def _statements_per_task(worker: Worker, client: Any, sku: str) -> dict[str, int]:
    from django.db import connection

    counted: Counter[str] = Counter()
    current = [""]

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        counted[current[0]] += 1
        return execute(sql, *rest)

    def run_counted() -> None:
        while messages := worker.pending():
            for message in messages:
                current[0] = message.headers["task"]
                with connection.execute_wrapper(count):
                    worker.run(message)

    payment_id, email = place(client, sku, "worker")
    run_counted()
    pay(client, payment_id, email)
    run_counted()
    return dict(counted)


def _report(worker: Worker, orders: int, statements: dict[str, int]) -> None:
    tasks = sum(worker.runs.values())
    cpu_ms = sum(worker.cpu.values()) * 1000
    per_order = cpu_ms / orders
    per_task = cpu_ms / tasks
    print(
        f"worker CPU per order {per_order:.1f} ms, {tasks / orders:.2f} tasks per order, "
        f"{per_task:.2f} ms per task: {1000 / per_task:.0f} tasks/s "
        f"({1000 / per_order:.0f} orders/s) per worker process; "
        f"{orders} orders, load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    for name, runs in sorted(worker.runs.items()):
        print(
            f"  {name}: {runs / orders:.2f} per order, "
            f"{worker.cpu[name] * 1000 / runs:.2f} ms each, "
            f"{statements.get(name, 0)} statements (one order)"
        )
    for name, held in sorted(worker.held.items()):
        print(f"  {name}: {held / orders:.2f} per order due later (held by the worker)")


def _arguments() -> tuple[int, str | None]:
    args = sys.argv[1:]
    profile = inprocess.profile_option(args)
    return (int(args[0]) if args else 150), profile


def main() -> int:
    orders, profile = _arguments()
    name = f"{run.DB_NAME}_worker"
    # A Redis database of its own for the cache and throttles, beside a running
    # benchmark's; the tasks go to an in-memory broker in this process.
    env, redis_url = inprocess.environment(
        name, 2, STRIPE_SECRET_KEY="", CELERY_BROKER_URL="memory://"
    )
    reuse = inprocess.database_open(name, redis_url, env)
    try:
        import django

        django.setup()
        from django.test import Client

        if not reuse:
            inprocess.catalog_seed(1000)
        skus = [seed.variant_sku(i, 0) for i in range(0, 1000, 7)]
        client = Client()
        worker = Worker()
        for n in range(20):
            payment_id, email = place(client, skus[n % len(skus)])
            worker.run_all()
            pay(client, payment_id, email)
            worker.run_all()
        statements = _statements_per_task(worker, client, skus[0])
        worker = Worker()
        profiler = cProfile.Profile() if profile else None
        placed = [place(client, skus[(n + 1) % len(skus)]) for n in range(orders)]
        _measured(worker, profiler, worker.run_all)
        for payment_id, email in placed:
            pay(client, payment_id, email)
        _measured(worker, profiler, worker.run_all)
        if profiler:
            profiler.dump_stats(profile)
        _report(worker, orders, statements)
    finally:
        inprocess.database_close(name, redis_url)
    return 0


def _measured(worker: Worker, profiler: cProfile.Profile | None, work: Any) -> None:
    if profiler:
        profiler.enable()
    inprocess.callgrind("on")
    work()
    inprocess.callgrind("off")
    if profiler:
        profiler.disable()


if __name__ == "__main__":
    sys.exit(main())

"""A whole Celery worker draining the checkout's tasks: Redis, the prefork pool, acks, leases.

``python bench/worker_drain.py [orders]`` seeds its own small shop (the benchmark's world
and 1,000 products, database ``$BENCH_DATABASE_drain``), then:

1. places and pays ``orders`` (300) buy-now orders with the fake provider through
   Django's whole request stack in this process (``bench/cpu.py``'s two steps), their
   tasks published to a real Redis broker (``$BENCH_REDIS_URL``, database
   ``$BENCH_REDIS_DB`` + 3) while **no worker runs**: the order e-mail and the paid
   order, waiting in their queues;
2. starts one worker as production runs it (docker-compose.yml's command: the prefork
   pool, ``CELERY_WORKER_CONCURRENCY`` processes, ``-l info``, JSON logs, tasks
   acknowledged late, the shop's leases and heartbeat) and measures, from the moment it
   takes its first task until the queues are empty and nothing is left unacknowledged:
   the time, and the CPU of the worker's whole process tree (the consumer and its pool's
   children, read from ``/proc``): tasks/s, orders/s, CPU per task with everything
   Celery does around each task included;
3. checks that the work was done (every order's shipment booked, its e-mails sent once)
   and stops the worker as production does (SIGTERM, a warm shutdown).

The worker's start (importing the shop, connecting) is reported apart: it is the CPU
spent before the first task was taken. Nothing here runs only for the benchmark: the
worker is the shop's own command and settings (``bench.settings``: production's).
``BENCH_CPU_KEEP=1`` keeps the database for the next run. Environment knobs passed to
the worker as to production: ``CELERY_WORKER_CONCURRENCY``, ``LOG_LEVEL``,
``LOG_FORMAT``, ``DATABASE_CONN_MAX_AGE``.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inprocess, run, seed  # noqa: E402
from bench.cpu import pay, place  # noqa: E402
from bench.meter import TASK_QUEUES, tasks_done, tasks_waiting  # noqa: E402
from bench.stack import Stack  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
WARM = 100  # tasks after which the worker counts as warm


def tree_cpu(root: int) -> tuple[float, float]:
    """CPU seconds (user and system) of a process (its own, and its children's that
    have exited and been waited for) and of all its descendants alive now."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    waited = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry)
        parents[pid] = int(fields[1])
        # utime, stime, cutime, cstime: fields 14 to 17 of stat
        times[pid] = (int(fields[11]) + int(fields[12])) / TICKS
        if pid == root:
            waited = (int(fields[13]) + int(fields[14])) / TICKS
    tree = {root}
    grown = True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    descendants = sum(times.get(pid, 0.0) for pid in tree if pid != root)
    return times.get(root, 0.0) + waited, descendants


def unacknowledged(client: Any) -> int:
    """Tasks a worker has taken and not yet acknowledged (kombu's ``unacked`` hash)."""
    return int(client.hlen("unacked"))


def _environment(name: str, logs: Path) -> tuple[dict[str, str], str]:
    # A Redis database of its own beside a running benchmark's, the broker and the cache;
    # production's logging and worker processes, unless the caller names others.
    return inprocess.environment(
        name,
        3,
        STRIPE_SECRET_KEY="",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO"),
        LOG_FORMAT=os.environ.get("LOG_FORMAT", "json"),
        DATABASE_CONN_MAX_AGE=os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
        SHOP_HEARTBEAT_DIR=str(logs / "heartbeat"),
    )


LABEL = f"drain{int(time.time())}"


def _publish(orders: int) -> None:
    """Place and pay the orders with no worker running: their tasks wait in Redis."""
    from django.test import Client

    skus = [seed.variant_sku(i, 0) for i in range(0, 1000, 7)]
    client = Client()
    started = time.monotonic()
    for n in range(orders):
        pay(client, *place(client, skus[n % len(skus)], LABEL))
    print(f"{orders} orders placed and paid in {time.monotonic() - started:.1f} s", flush=True)


def _drain(stack: Stack, client: Any, timeout: float) -> dict[str, float]:
    """Start the worker and follow it until the queues are empty and nothing is held.
    Measured twice: from its first task (cold: each pool process's first queries,
    templates and translations) and from its ``WARM``-th (the worker as it runs for
    days)."""
    waiting = tasks_waiting(client)
    started = time.monotonic()
    process = stack.worker_start_as_deployed()
    while tasks_waiting(client) == waiting and unacknowledged(client) == 0:
        if process.poll() is not None or time.monotonic() - started > 120:
            raise RuntimeError("the worker took no task; see its log")
        time.sleep(0.005)
    first = time.monotonic()
    boot = tree_cpu(process.pid)
    warm_at = warm_cpu = None
    warm_tasks = 0
    while (left := tasks_waiting(client)) or unacknowledged(client):
        if warm_at is None and left <= waiting - WARM:
            warm_at, warm_cpu = time.monotonic(), tree_cpu(process.pid)
            warm_tasks = left + unacknowledged(client)
        if time.monotonic() - first > timeout:
            raise RuntimeError(f"not drained within {timeout:.0f} s")
        time.sleep(0.005)
    end = time.monotonic()
    consumer, pool = tree_cpu(process.pid)
    seen = {
        "tasks": waiting,
        "boot_s": first - started,
        "boot_cpu_s": sum(boot),
        "wall_s": end - first,
        "cpu_s": consumer + pool - sum(boot),
    }
    if warm_at is not None and warm_cpu is not None and warm_tasks:
        seen.update(
            warm_tasks=warm_tasks,
            warm_wall_s=end - warm_at,
            consumer_cpu_s=consumer - warm_cpu[0],
            pool_cpu_s=pool - warm_cpu[1],
        )
    return seen


def _check(orders: int) -> dict[str, int]:
    """What the worker did, from the database: booked shipments and e-mails sent."""
    from fulfillment.models import OrderEmail, Shipment
    from shop.orders.models import Order

    drained = Order.objects.filter(email__startswith=f"{LABEL}-")
    booked = Shipment.objects.filter(order__in=drained).exclude(waybill_number="").count()
    emails = OrderEmail.objects.filter(order__in=drained).count()
    assert booked >= orders, f"{booked} of {orders} orders' shipments booked"
    return {"booked": booked, "emails": emails}


def _report(orders: int, seen: dict[str, float], done: dict[str, int], names: Any) -> None:
    tasks = seen["tasks"]
    per_task = seen["cpu_s"] * 1000 / tasks
    print(
        f"drained {tasks:.0f} tasks of {orders} orders in {seen['wall_s']:.2f} s: "
        f"{tasks / seen['wall_s']:.0f} tasks/s, {orders / seen['wall_s']:.0f} orders/s "
        f"(wall, {os.environ.get('CELERY_WORKER_CONCURRENCY', '2')} pool processes); "
        f"worker tree CPU {seen['cpu_s']:.2f} s = {per_task:.2f} ms per task; "
        f"start {seen['boot_s']:.1f} s ({seen['boot_cpu_s']:.1f} s CPU); "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    if "warm_tasks" in seen:
        warm = seen["warm_tasks"]
        consumer = seen["consumer_cpu_s"] * 1000 / warm
        pool = seen["pool_cpu_s"] * 1000 / warm
        print(
            f"  warm (after {WARM} tasks): {warm:.0f} tasks in {seen['warm_wall_s']:.2f} s, "
            f"{warm / seen['warm_wall_s']:.0f} tasks/s wall; CPU {consumer + pool:.2f} ms per "
            f"task (consumer {consumer:.2f}, pool {pool:.2f}): "
            f"{1000 / (consumer + pool):.0f} tasks/s, "
            f"{1000 * orders / tasks / (consumer + pool):.0f} orders/s per core of CPU"
        )
    print(f"  shipments booked {done['booked']}, e-mails sent {done['emails']}; by task: {names}")


def main() -> int:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    name = f"{run.DB_NAME}_drain"
    logs = Path(tempfile.mkdtemp(prefix="coshop-drain-"))
    print(f"worker drain: logs in {logs}", flush=True)
    env, redis_url = _environment(name, logs)
    reuse = inprocess.database_open(name, redis_url, env)
    stack = Stack(env, logs)
    try:
        import django
        import redis

        django.setup()
        if not reuse:
            inprocess.catalog_seed(1000)
        client = redis.Redis.from_url(redis_url)
        client.delete(*TASK_QUEUES, "unacked", "unacked_index")
        _publish(orders)
        seen = _drain(stack, client, timeout=600)
        names = tasks_done()
        done = _check(orders)
        _report(orders, seen, done, names)
    finally:
        stack.signal("worker", signal.SIGTERM)
        stack.stop_all()
        inprocess.database_close(name, redis_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

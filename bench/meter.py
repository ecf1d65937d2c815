"""What the rest of the shop does while a scenario runs: the Celery worker's tasks, the
queue, PostgreSQL's deadlocks and lock waits.

:class:`Meter` is taken around every scenario (``with meter.scenario() as seen:``):

- tasks enqueued and done: the worker's own count of the tasks it took
  (``celery inspect stats``) before and after, and the queue's depth before and after
  (enqueued = done + what the queue grew by);
- queue depth at the end (tasks waiting in the queues), its highest during the
  scenario, and the time until the worker has taken everything after the scenario
  (bounded);
- PostgreSQL: deadlocks detected in the benchmark's database (``pg_stat_database``),
  and lock waits sampled every 100 ms from ``pg_locks`` (sessions waiting for a lock:
  most at once, and seconds waited in all, summed over the samples);
- the machine's load average at the start and end, since other work shares the cores.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import redis

TASK_QUEUES = ("default", "fulfillment", "notifications", "reports")
SAMPLE_SECONDS = 0.1


def tasks_waiting(client: redis.Redis) -> int:
    """Tasks in the queues, not yet taken by a worker. (Tasks taken but not acknowledged
    are not counted: kombu keeps there also the tasks due later, such as a parcel's next
    tracking poll an hour ahead, which are not a backlog.)"""
    with client.pipeline(transaction=False) as pipe:
        for queue in TASK_QUEUES:
            pipe.llen(queue)
        return sum(int(n) for n in pipe.execute())


def tasks_done() -> dict[str, int] | None:
    """Tasks the running Celery worker has taken since it started, by task name
    (``inspect stats``' totals; None when no worker answers)."""
    from shop.celery import app

    stats = app.control.inspect(timeout=1.0, limit=1).stats() or {}
    if not stats:
        return None
    totals: dict[str, int] = {}
    for worker in stats.values():
        for name, count in worker.get("total", {}).items():
            totals[name] = totals.get(name, 0) + int(count)
    return totals


class Meter:
    def __init__(self, *, pg_url: str, database: str, redis_url: str, worker: bool) -> None:
        self.pg_url = pg_url
        self.database = database
        self.redis = redis.Redis.from_url(redis_url)
        self.worker = worker

    def _deadlocks(self, conn: psycopg.Connection) -> int:
        row = conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = %s", (self.database,)
        ).fetchone()
        return int(row[0]) if row else 0

    def _lock_waiters(self, conn: psycopg.Connection) -> int:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE NOT l.granted AND a.datname = %s",
            (self.database,),
        ).fetchone()
        return int(row[0]) if row else 0

    @contextlib.contextmanager
    def scenario(self, *, drain_limit_seconds: float = 120) -> Iterator[dict[str, Any]]:
        """Measure around a scenario; the dict yielded is filled in when it ends."""
        seen: dict[str, Any] = {"load_before": round(os.getloadavg()[0], 2)}
        conn = psycopg.connect(f"{self.pg_url}/{self.database}", autocommit=True)
        deadlocks = self._deadlocks(conn)
        waiting_before = tasks_waiting(self.redis)
        done_before = tasks_done() if self.worker else None
        samples = {"max_waiters": 0, "wait_samples": 0, "max_queue": waiting_before}
        stop = threading.Event()

        def sample() -> None:
            with psycopg.connect(f"{self.pg_url}/{self.database}", autocommit=True) as own:
                while not stop.wait(SAMPLE_SECONDS):
                    waiters = self._lock_waiters(own)
                    samples["max_waiters"] = max(samples["max_waiters"], waiters)
                    samples["wait_samples"] += waiters
                    samples["max_queue"] = max(samples["max_queue"], tasks_waiting(self.redis))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield seen
        finally:
            stop.set()
            sampler.join(timeout=5)
            waiting_end = tasks_waiting(self.redis)
            seen.update(
                queue_at_start=waiting_before,
                queue_at_end=waiting_end,
                queue_max=samples["max_queue"],
                lock_waiters_max=samples["max_waiters"],
                lock_wait_seconds=round(samples["wait_samples"] * SAMPLE_SECONDS, 1),
                load_after=round(os.getloadavg()[0], 2),
            )
            seen.update(self._drained(done_before, waiting_before, drain_limit_seconds))
            seen["deadlocks"] = self._deadlocks(conn) - deadlocks
            conn.close()

    def _drained(
        self, done_before: dict[str, int] | None, waiting_before: int, limit_seconds: float
    ) -> dict[str, Any]:
        """Wait (bounded) until the worker has finished every queued task; how long it
        took, and the tasks enqueued and done over the scenario and the drain."""
        started = time.monotonic()
        waiting = tasks_waiting(self.redis)
        if self.worker:
            while waiting and time.monotonic() - started < limit_seconds:
                time.sleep(0.2)
                waiting = tasks_waiting(self.redis)
        seconds = round(time.monotonic() - started, 1)
        done_after = tasks_done() if self.worker else None
        by_name: dict[str, int] = {}
        if done_before is not None and done_after is not None:
            by_name = {
                name: count - done_before.get(name, 0)
                for name, count in sorted(done_after.items())
                if count - done_before.get(name, 0)
            }
        done = sum(by_name.values()) if done_after is not None and done_before is not None else None
        return {
            "drain_seconds": seconds if not waiting else None,
            "queue_left": waiting,
            "tasks_done": done,
            "tasks_by_name": by_name,
            "tasks_enqueued": None if done is None else done + waiting - waiting_before,
        }

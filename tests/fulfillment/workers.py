"""Start and stop real Celery workers for the worker tests, and point this process at Redis."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection
from kombu import pools

from shop.celery import QUEUES, app
from shop.core import tasks
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def broker_url() -> str:
    """The broker of the workers tests start (``BROKER_TEST_URL`` in the test settings)."""
    return str(settings.BROKER_TEST_URL)


def test_database_url() -> str:
    """The database this test runs on, for the worker to use the same one."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def _connections_reset() -> None:
    """Forget every broker connection, so the next task goes to the broker now configured."""
    tasks._publisher_forget()  # the one the shop keeps for this thread
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def tasks_sent_to(url: str) -> Iterator[None]:
    """Send tasks from this process to a broker instead of running them in-process."""
    previous = (app.conf.task_always_eager, app.conf.broker_url, settings.CELERY_TASK_ALWAYS_EAGER)
    _connections_reset()
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield
    finally:
        _connections_reset()
        app.conf.task_always_eager, app.conf.broker_url, settings.CELERY_TASK_ALWAYS_EAGER = (
            previous
        )


def broker_flush(url: str) -> None:
    redis.Redis.from_url(url).flushdb()


# What a worker logs at INFO when it takes a task and when the task is over (done,
# failed, or sent back to be retried later).
_RECEIVED = re.compile(r"Task [\w.]+\[[\w-]+\] received")
_FINISHED = re.compile(r"Task [\w.]+\[[\w-]+\] (succeeded|raised|failed|retry)")


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path, broker: str) -> None:
        self.process = process
        self.log = log
        self.broker = broker

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def idle(self) -> bool:
        """Whether the worker has finished every task it took and none waits in its queues:
        after this, nothing it was sent can still change a row."""
        log = self.output()
        taken = len(_RECEIVED.findall(log))
        finished = len(_FINISHED.findall(log))
        waiting = redis.Redis.from_url(self.broker).pipeline()
        for queue in QUEUES:
            waiting.llen(queue)
        return taken == finished and not any(waiting.execute())

    def kill(self) -> None:
        """SIGKILL the worker and its children at once: no warm shutdown, no acks."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def worker_running(url: str, *, env: dict[str, str] | None = None) -> Iterator[Worker]:
    """A ``celery -A shop worker`` on every queue, on this test's database; waits until ready."""
    log = Path(tempfile.mkstemp(prefix="celery-worker-", suffix=".log")[1])
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.fulfillment.worker_settings",
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": url,
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    command = [
        CELERY,
        "-A",
        "shop",
        "worker",
        "-Q",
        ",".join(QUEUES),
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"test-{uuid.uuid4().hex[:8]}@%h",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, log, url)
    try:
        wait_until(lambda: "ready." in worker.output() or process.poll() is not None, seconds=30)
        assert process.poll() is None, worker.output()
        yield worker
    finally:
        worker.stop()
        log.unlink(missing_ok=True)

"""The shop started the way its users start it, for the journeys to talk to over HTTP.

- :class:`EmbeddedStack`: ``make run`` itself (migrate, load_demo, runserver with the
  local settings), on a SQLite file in a temporary directory, with no Redis: tasks and
  the beat schedule run inside the server.
- :class:`ProductionStack`: the production settings on a fresh PostgreSQL database and
  a Redis database of their own, served by gunicorn, with a Celery worker on every queue
  and Celery beat, as docker-compose.yml runs them.

Both get an environment scrubbed of what the test run set (its settings module, database,
Redis, make's and pytest's variables) and the shop's clocks made short, so that what
takes a shopper minutes takes seconds. Every process runs in a session of its own and is
stopped with its whole group whatever happens; its output goes to a log file whose tail
a failing journey shows.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import redis
import requests
from psycopg import sql

from shop.celery import QUEUES
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_SECONDS = 300  # migrate and load_demo on a busy 2-core machine, then the first answer

# What may pass from the caller's environment: where programs are, who and where we are.
# Everything else (DJANGO_SETTINGS_MODULE, DATABASE_URL, REDIS_URL and the rest of the
# test run's settings, make's and pytest's own variables) stays behind.
PASSED_ON = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")

# The shop's clocks, short: sweeps every second, holds and unpaid orders lapse within
# seconds, simulated parcels are picked up after 1 s and delivered after 3 s, and a kept
# catalog answer is fresh for 1 s. Every other journey pays its order within a second or
# two of placing it, well inside the six seconds an order waits.
SHORT_CLOCKS = {
    "SHOP_SWEEP_SECONDS": "1",
    "SHOP_RESERVATION_MINUTES": "0.1",
    "SHOP_UNPAID_ORDER_MINUTES": "0.1",
    "SHOP_SIMULATED_PICKUP_SECONDS": "1",
    "SHOP_SIMULATED_DELIVERY_SECONDS": "3",
    "CATALOG_CACHE_SECONDS": "1",
}
UNPAID_ORDER_SECONDS = float(SHORT_CLOCKS["SHOP_UNPAID_ORDER_MINUTES"]) * 60

# Log lines of periodic work that found nothing to do: with sweeps every second they
# would fill any tail.
QUIET = re.compile(
    r"Scheduler: Sending due task |\] received$"
    r"|succeeded in [\d.]+s: (0|\[\]|\{'orders': 0, 'shipments': 0, 'cancelled': 0\})$"
)


class StackStopped(RuntimeError):
    """The stack was asked to stop while it was starting."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def passed_on_environment() -> dict[str, str]:
    return {name: os.environ[name] for name in PASSED_ON if name in os.environ}


def scrubbed_environment(**values: str) -> dict[str, str]:
    return {**passed_on_environment(), **SHORT_CLOCKS, "PYTHONUNBUFFERED": "1", **values}


class Stack:
    """Processes of one running shop, their logs, and what the journeys need to reach it."""

    name = ""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.base_url = ""
        self.channel_keys: dict[str, str] = {}
        self._processes: dict[str, subprocess.Popen] = {}
        self._lock = threading.Lock()
        self._stopping = False

    def __repr__(self) -> str:
        return f"<{self.name} shop at {self.base_url or 'nowhere yet'}>"

    # Starting

    def start(self) -> None:
        raise NotImplementedError

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        with self._lock:
            if self._stopping:
                raise StackStopped(f"{self.name}: stopped while starting")
            with self.log(name).open("ab") as sink:
                process = subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self._processes[name] = process
            return process

    def _run(self, name: str, command: list[str], env: dict[str, str]) -> None:
        """Run a command to its end (a migration, the demo data); fail with its log."""
        self._finished(name, self._spawn(name, command, env))

    def _finished(self, name: str, process: subprocess.Popen) -> None:
        """Wait for a command started with _spawn to end well, and forget it."""
        try:
            returncode = process.wait(timeout=START_SECONDS)
        except subprocess.TimeoutExpired:
            raise RuntimeError(
                self._failure(f"{name} still runs after {START_SECONDS} s")
            ) from None
        if returncode != 0:
            raise RuntimeError(self._failure(f"{name} failed ({returncode})"))
        with self._lock:
            del self._processes[name]

    def _wait_until(self, what: str, ready: Any, seconds: float = START_SECONDS) -> None:
        """Wait until ``ready()``; fail at once, with the logs, if a process stopped."""

        def settled() -> bool:
            if self._stopping:
                raise StackStopped(f"{self.name}: stopped while starting")
            stopped = [n for n, p in self._processes.items() if p.poll() is not None]
            if stopped:
                raise RuntimeError(self._failure(f"{', '.join(stopped)} stopped while {what}"))
            return bool(ready())

        if not wait_until(settled, seconds=seconds, every=0.3):
            raise RuntimeError(self._failure(f"not {what} after {seconds} s"))

    def _serving(self) -> bool:
        try:
            return requests.get(f"{self.base_url}/health/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def _logged(self, name: str, text: str) -> bool:
        return text in self.log(name).read_text(errors="replace")

    def _failure(self, message: str) -> str:
        return f"The {self.name} shop could not start: {message}.\n{self.tail()}"

    # Stopping

    def stop(self) -> None:
        """Stop every process with its group, all at once: TERM, and KILL to whatever
        of a group still runs once its leader ended or 15 s passed. Idempotent."""
        with self._lock:
            self._stopping = True
            processes = list(self._processes.values())
        for process in processes:
            _group_signal(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            _group_signal(process, signal.SIGKILL)
            process.wait(timeout=5)

    # Looking

    def tail(self, lines: int = 40) -> str:
        """The last lines of every log, without the sweeps that found nothing to do."""
        parts = []
        for path in sorted(self.workdir.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()
            text = [line for line in text if not QUIET.search(line)][-lines:]
            parts.append(f"----- {self.name}: last {len(text)} lines of {path} -----")
            parts.extend(text)
        return "\n".join(parts)


def _group_signal(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has ended already
        os.killpg(process.pid, signum)


class EmbeddedStack(Stack):
    """``make run`` as a newcomer types it, on a SQLite file of its own."""

    name = "embedded"

    def start(self) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        keys = self.workdir / "channel-keys.json"
        env = scrubbed_environment(
            DATABASE_URL=f"sqlite:///{self.workdir / 'db.sqlite3'}",
            MEDIA_ROOT=str(self.workdir / "media"),
            SHOP_PRIVATE_ROOT=str(self.workdir / "private"),
            # None at all (a .env file at the root is read too, and must not bring one).
            REDIS_URL="",
        )
        make = shutil.which("make", path=env.get("PATH")) or "make"
        self._spawn(
            "make-run",
            [make, "run", "HOST=127.0.0.1", f"PORT={port}", f"DEMO_KEYS_FILE={keys}"],
            env,
        )
        self._wait_until("serving", self._serving)
        self.channel_keys = json.loads(keys.read_text())


class ProductionStack(Stack):
    """gunicorn, a Celery worker and Celery beat on PostgreSQL and Redis, with the
    production settings and the environment they demand (no TLS proxy in front yet)."""

    name = "production"

    def __init__(self, workdir: Path, *, database_url: str, redis_url: str) -> None:
        super().__init__(workdir)
        self.database_url = database_url
        self.redis_url = redis_url

    def environment(self, port: int) -> dict[str, str]:
        return scrubbed_environment(
            DJANGO_SETTINGS_MODULE="shop.settings.production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="false",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            MEDIA_ROOT=str(self.workdir / "media"),
            SHOP_PRIVATE_ROOT=str(self.workdir / "private"),
            # No proxy in front of gunicorn here: the shop answers /media/ itself.
            SHOP_SERVE_MEDIA="true",
            STATIC_ROOT=str(self.workdir / "static"),
            SHOP_PUBLIC_URL=f"http://127.0.0.1:{port}",
            # No mail server here: the worker writes the e-mails to its log.
            EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
            LOG_FORMAT="plain",
        )

    def start(self) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        env = self.environment(port)
        keys = self.workdir / "channel-keys.json"
        redis_claim(self.redis_url)
        database_create(self.database_url)
        python = str(BIN / "python")
        # The image collects the static files when it is built: here, beside the migration.
        collecting = self._spawn(
            "collectstatic", [python, "manage.py", "collectstatic", "--noinput"], env
        )
        self._run("migrate", [python, "manage.py", "migrate", "--noinput"], env)
        self._run("load-demo", [python, "manage.py", "load_demo", "--keys-file", str(keys)], env)
        self._finished("collectstatic", collecting)
        self.channel_keys = json.loads(keys.read_text())
        metrics = self.workdir / "prometheus"
        metrics.mkdir()
        self._spawn(
            "web",
            [
                str(BIN / "gunicorn"),
                "shop.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "3",
                "--timeout",
                "30",
                "--access-logfile",
                "-",
            ],
            {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)},
        )
        celery = str(BIN / "celery")
        self._spawn(
            "worker",
            [celery, "-A", "shop", "worker", "-l", "info", "-Q", ",".join(QUEUES), "-c", "2"],
            env,
        )
        schedule = self.workdir / "celerybeat-schedule"
        self._spawn("beat", [celery, "-A", "shop", "beat", "-l", "info", "-s", str(schedule)], env)
        self._wait_until("serving", self._serving)
        self._wait_until("taking tasks", lambda: self._logged("worker", " ready."))
        self._wait_until("keeping time", lambda: self._logged("beat", "beat: Starting..."))

    def stop(self) -> None:
        """Stop the processes and empty the Redis database; the PostgreSQL database is
        left to :func:`database_drop` (which waits for a checkpoint of the server)."""
        super().stop()
        redis.Redis.from_url(self.redis_url).flushdb()


def redis_claim(url: str) -> None:
    """Empty the stack's Redis database, after making sure nobody else is connected to
    it: a worker of another test run there would take this stack's tasks."""
    client = redis.Redis.from_url(url)
    database = int(client.connection_pool.connection_kwargs.get("db", 0))
    try:
        me = client.client_id()
        others = [
            c["addr"]
            for c in client.client_list()
            if int(c["db"]) == database and int(c["id"]) != me
        ]
    except redis.ResponseError:  # CLIENT is not allowed here: trust the setting
        others = []
    if others:
        raise RuntimeError(
            f"{len(others)} other clients use {url}: set JOURNEY_REDIS_URL to a Redis "
            "database of this test run's own"
        )
    client.flushdb()


# The journeys' own database, on the test database's server


def _server_and_name(database_url: str) -> tuple[dict[str, Any], str]:
    params = psycopg.conninfo.conninfo_to_dict(database_url)
    name = str(params.pop("dbname"))
    return {**params, "dbname": "postgres", "autocommit": True}, name


def database_create(database_url: str) -> None:
    """A fresh, empty database (whatever a run that was killed left behind is dropped)."""
    server, name = _server_and_name(database_url)
    with psycopg.connect(**server) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(database_url: str) -> None:
    server, name = _server_and_name(database_url)
    with psycopg.connect(**server) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

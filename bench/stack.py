"""Starting and stopping what the benchmark runs: gunicorn, a Celery worker, the load
generator. Every process is started in its own session so the whole group can be
stopped, and :class:`Stack` stops all of them whatever happens."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Stack:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.processes: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def web_start(self, *, port: int, workers: int, threads: int) -> None:
        command = [
            str(BIN / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "shop.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--keep-alive",
            "75",
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ]
        # Named either way: gunicorn.conf.py's default (gthread) must not decide a run.
        if threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(threads)]
        else:
            command += ["--worker-class", "sync"]
        self._start("web", command)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.processes["web"].poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start; see {self.logs / 'web.log'}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/health/live/", timeout=2
                ) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def worker_start(self) -> None:
        self._start(
            "worker",
            _worker_command(
                "warning", "--concurrency", "1", "--without-gossip", "--without-mingle"
            ),
        )

    def worker_start_as_deployed(self) -> subprocess.Popen:
        """One worker with docker-compose.yml's command: the prefork pool of
        ``CELERY_WORKER_CONCURRENCY`` processes, gossip and mingle as Celery has them."""
        return self._start("worker", _worker_command("info"))

    def beat_start(self) -> None:
        """Celery beat, as production runs it: expiring holds and unpaid orders, polling
        parcels, syncing payments and the report rows while the scenarios run."""
        self._start(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "shop",
                "beat",
                "-l",
                "warning",
                "--schedule",
                str(self.logs / "celerybeat-schedule"),
            ],
        )

    def provider_start(
        self, *, port: int, shop_port: int, secret: str, create_ms: float, read_ms: float
    ) -> None:
        """The local fake of Stripe's API (bench/provider.py) the shop pays through."""
        self._start(
            "provider",
            [
                sys.executable,
                "-m",
                "bench.provider",
                str(port),
                str(shop_port),
                secret,
                str(create_ms),
                str(read_ms),
            ],
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the fake provider did not start; see {self.logs / 'provider.log'}")

    def signal(self, name: str, signum: int) -> bool:
        """Send ``signum`` to a started process's whole group; False if it is not running."""
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return False
        os.killpg(process.pid, signum)
        return True

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGCONT)  # a paused process cannot stop
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)


def load(spec: dict[str, Any], *, timeout: float) -> dict[str, Any]:
    """Run one load spec in a separate load-generator process and return what it measured."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.loadgen"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(json.dumps(spec).encode(), timeout=timeout)
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"the load generator failed ({process.returncode})")
    return dict(json.loads(out))


def _worker_command(level: str, *options: str) -> list[str]:
    """A Celery worker of the shop on every queue it has, logging at ``level``."""
    queues = "default,fulfillment,notifications,reports"
    return [str(BIN / "celery"), "-A", "shop", "worker", "-l", level, "-Q", queues, *options]

"""Heartbeats of real Celery processes, read as their compose healthchecks read them
(scripts/heartbeat_check.py, without Django), and exactly one beat scheduling."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from shop.core.heartbeat import heartbeat_touch
from tests import celery_workers
from tests.celery_workers import CELERY, ROOT, broker_flush, broker_url, worker_running
from tests.waiting import wait_until

CHECK = str(ROOT / "scripts" / "heartbeat_check.py")
SENDING = "Scheduler: Sending due task"


def heartbeat_check(directory: Path, name: str, max_age: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, CHECK, name, "--max-age", str(max_age)],
        env={"PATH": os.environ["PATH"], "SHOP_HEARTBEAT_DIR": str(directory)},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_check_fails_without_a_heartbeat_and_passes_with_a_fresh_one(tmp_path, monkeypatch):
    assert heartbeat_check(tmp_path, "worker").returncode == 1
    monkeypatch.setenv("SHOP_HEARTBEAT_DIR", str(tmp_path))
    heartbeat_touch("worker")
    fresh = heartbeat_check(tmp_path, "worker")
    assert (fresh.returncode, fresh.stdout.split(",")[0]) == (0, "worker: ok")
    old = (tmp_path / "worker").stat().st_mtime - 120
    os.utime(tmp_path / "worker", (old, old))
    assert heartbeat_check(tmp_path, "worker").returncode == 1


@pytest.mark.celery_worker
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_running_worker_keeps_its_heartbeat_fresh(tmp_path):
    url = broker_url()
    broker_flush(url)
    environment = {"SHOP_HEARTBEAT_DIR": str(tmp_path), "SHOP_HEARTBEAT_SECONDS": "0.2"}
    with worker_running(url, env=environment):
        path = tmp_path / "worker"
        assert wait_until(path.exists, seconds=30)
        first = path.stat().st_mtime_ns
        assert wait_until(lambda: path.stat().st_mtime_ns > first, seconds=10)
        assert heartbeat_check(tmp_path, "worker", max_age=5).returncode == 0


@contextmanager
def beat_running(name: str, directory: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """``celery beat`` with the production scheduler, on the test database and broker,
    its sweeps every second."""
    log = directory / f"{name}.log"
    heartbeats = directory / name
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.celery_worker_settings",
        "DATABASE_URL": celery_workers.test_database_url(),
        "CELERY_BROKER_URL": broker_url(),
        "REDIS_URL": broker_url(),
        "SHOP_SWEEP_SECONDS": "1",
        "SHOP_HEARTBEAT_DIR": str(heartbeats),
        "PYTHONPATH": str(ROOT),
    }
    command = [CELERY, "-A", "shop", "beat", "-l", "info"]
    command += ["-S", "shop.core.beat_lock:SingleBeatScheduler"]
    command += ["-s", str(directory / f"{name}-schedule"), "--max-interval", "1"]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.mark.celery_worker
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_second_beat_schedules_nothing_until_the_first_is_gone(tmp_path):
    broker_flush(broker_url())
    with beat_running("first", tmp_path) as (first, first_log):
        assert wait_until(lambda: SENDING in first_log.read_text(), seconds=60), (
            first_log.read_text()
        )
        with beat_running("second", tmp_path) as (_second, second_log):
            assert wait_until(
                lambda: "this one is a standby" in second_log.read_text(), seconds=60
            ), second_log.read_text()
            assert wait_until(lambda: (tmp_path / "second" / "beat").exists(), seconds=30), (
                second_log.read_text()
            )
            # The first goes on sending while the second stands by.
            sent = first_log.read_text().count(SENDING)
            assert wait_until(lambda: first_log.read_text().count(SENDING) > sent + 3, seconds=30)
            assert SENDING not in second_log.read_text()
            assert (tmp_path / "second" / "beat").read_text() == "standby"
            assert (tmp_path / "first" / "beat").read_text() == "leader"
            assert heartbeat_check(tmp_path / "second", "beat", max_age=10).returncode == 0
            first.terminate()
            first.wait(timeout=15)
            # The lock is released with the first beat's session: the second takes over.
            assert wait_until(lambda: SENDING in second_log.read_text(), seconds=60), (
                second_log.read_text()
            )
            assert (tmp_path / "second" / "beat").read_text() == "leader"

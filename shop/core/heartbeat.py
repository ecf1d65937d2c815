"""Heartbeats of the processes that answer no HTTP: Celery workers and Celery beat.

Each touches a small file while it works: a worker from its consumer's event loop
(every ``SHOP_HEARTBEAT_SECONDS``), beat at every tick of its scheduler. The file holds
one word (a worker's ``ok``; beat's ``leader`` or ``standby``, see shop/core/beat_lock.py).
The compose healthchecks read the file's age with ``scripts/heartbeat_check.py``, which
imports neither Django nor Celery: a check costs a file's ``stat``, not a process booting
the shop every 30 s. A file in the container's own directory says nothing about Redis
or the database; a process stuck or dead stops touching it.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from celery import bootsteps

logger = logging.getLogger(__name__)

DEFAULT_DIRECTORY = Path(tempfile.gettempdir()) / "shop-heartbeat"


def heartbeat_directory() -> Path:
    """``SHOP_HEARTBEAT_DIR``, read from the environment (the check script has no Django)."""
    return Path(os.environ.get("SHOP_HEARTBEAT_DIR") or DEFAULT_DIRECTORY)


def heartbeat_interval() -> float:
    return float(os.environ.get("SHOP_HEARTBEAT_SECONDS") or 10)


def heartbeat_touch(name: str, state: str = "ok") -> None:
    """Write ``state`` to the heartbeat file ``name`` (its modification time is the beat).
    A full disk or a read-only directory is logged, never raised into a worker or beat."""
    directory = heartbeat_directory()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        temporary = path.with_suffix(".tmp")
        temporary.write_text(state)
        temporary.replace(path)
    except OSError as exc:
        logger.warning("heartbeat %s not written (%s)", name, exc)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A worker consumer step: touches ``worker`` from the consumer's own timer, so the
    beat stops when the consumer's loop stops (broker lost, loop stuck, process gone)."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, c: Any, **kwargs: Any) -> None:
        super().__init__(c, **kwargs)
        self.timer_entry: Any = None
        self.lock = threading.Lock()

    def start(self, c: Any) -> None:
        heartbeat_touch("worker")
        with self.lock:
            self.timer_entry = c.timer.call_repeatedly(
                heartbeat_interval(), heartbeat_touch, ("worker",)
            )

    def stop(self, c: Any) -> None:
        with self.lock:
            if self.timer_entry is not None:
                self.timer_entry.cancel()
                self.timer_entry = None

    shutdown = stop

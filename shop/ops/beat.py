"""The beat schedule run inside the serving process, for the embedded default.

On the embedded default (``make run``: SQLite, no Redis) tasks run in-process and no
Celery beat is started, yet holds must lapse, unpaid orders expire, parcels move,
owed e-mails go out and months close. So the development server runs Celery's own
scheduler in a thread, over the one schedule declared in ``shop/celery.py``: with tasks
in-process, each due task runs in that thread, exactly as a worker would run it.

Where a real beat and worker run (production), nothing here is started.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import beat
from django.conf import settings
from django.db import close_old_connections

from shop.celery import app

logger = logging.getLogger(__name__)

# How far back a schedule looks when the process starts: whatever fell due while the
# shop was stopped (a lapsed hold, last night's settlement closing) runs at once.
CATCH_UP = dt.timedelta(days=1)


class CatchUpEntry(beat.ScheduleEntry):
    def default_now(self) -> dt.datetime:
        return super().default_now() - CATCH_UP


class InProcessScheduler(beat.Scheduler):
    """Celery's in-memory scheduler, each due task run in this thread with its own
    database connection (closed when stale, as a request would)."""

    Entry = CatchUpEntry

    def send_task(self, *args: Any, **kwargs: Any) -> Any:
        # Only a task this process does not know is sent by name, and nothing would take
        # it here: a schedule naming a task that does not exist is a bug to see at once.
        raise LookupError(f"no such task in this process: {args[0] if args else kwargs}")

    def apply_async(self, entry: Any, producer: Any = None, advance: bool = True, **kwargs: Any):
        close_old_connections()
        try:
            return super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        finally:
            close_old_connections()


def in_process_beat_wanted() -> bool:
    """Run the schedule in the serving process: only where tasks run in-process (no
    worker would take what a beat sends) and unless turned off."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER and settings.SHOP_IN_PROCESS_BEAT)


def in_process_beat_start() -> Any:
    """Start the schedule in a daemon thread; returns the thread."""
    app.loader.import_default_modules()  # every app's tasks, as a worker loads them
    service: Any = beat.EmbeddedService(app, thread=True, scheduler_cls=InProcessScheduler)
    service.start()
    logger.info("periodic tasks run in this process (%s entries)", len(app.conf.beat_schedule))
    return service

"""A Celery worker in a thread of the test process, consuming one queue of the test Redis."""

from __future__ import annotations

import logging

from celery.contrib.testing.worker import start_worker
from celery.result import _set_task_join_will_block

from shop.celery import app as celery_app
from tests.waiting import wait_until


def run_worker_until(queue: str, done) -> None:
    import celery.contrib.testing.tasks  # noqa: F401  (the worker's ping task)

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    with start_worker(
        celery_app,
        queues=[queue],
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        loglevel="WARNING",
    ):
        wait_until(done, seconds=10)
    # The worker sets up logging for itself; the rest of the suite keeps its own.
    root.setLevel(level)
    root.handlers[:] = handlers
    # Starting a worker in this process marks joins as blocking for good; later tests
    # that wait for an eager task's result must still be allowed to.
    _set_task_join_will_block(False)

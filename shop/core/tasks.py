"""Enqueueing Celery tasks safely: after the transaction commits, and never failing the caller.

If the broker is unreachable the task is not lost: each task has a periodic sweep
that finds the work still to do (for example paid orders without shipments).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> bool:
    """Send a task now; log and return False when the broker cannot take it."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # broker down or misconfigured: the periodic sweep catches up
        logger.warning("could not enqueue %s%r; a sweep will pick it up", task.name, args)
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send a task once the current transaction has committed (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))

"""Waiting on something outside the test's own thread: a real process (a Celery worker,
gunicorn, a stack of the journeys), another database session, Redis letting a key expire.

A test never sleeps for a fixed time: it waits until a condition holds, up to a deadline,
and fails with a message saying what did not happen. The shop's own time is moved by
giving its code the moment instead (``now=``, a ``timer``, rows dated in the past).
"""

from __future__ import annotations

import time
from collections.abc import Callable

# How often a condition is asked again: short enough not to slow the test, long enough
# not to keep a core busy while a worker process needs it.
POLL_SECONDS = 0.05


def wait_until(
    condition: Callable[[], object], *, seconds: float, every: float = POLL_SECONDS
) -> bool:
    """Whether ``condition()`` became true within ``seconds`` (asked once more at the end);
    ``every`` longer where asking costs a request to a running shop."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)  # the one pause of the suite: between two questions
    return bool(condition())

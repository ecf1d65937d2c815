"""Leases on the tasks a worker holds, so a task lost with its worker is redone within
half a minute, and a long task on a live worker is never handed to a second one.

With Redis as the broker, a task a worker has taken but not yet acknowledged (tasks
acknowledge late: ``CELERY_TASK_ACKS_LATE``) waits in Redis's "unacked" set, stamped
with the time it was taken. Any worker puts back in its queue a task whose stamp is
older than the visibility timeout. Left alone that has two failures: a short timeout
hands a task that is merely long to a second worker, a long one leaves the task of a
killed worker undone for as long.

So each worker renews the stamp of every task it holds every quarter of the lease
(``SHOP_TASK_LEASE_SECONDS``, the visibility timeout): while the worker lives its tasks
stay with it however long they take; once it dies the stamps age, and within a lease
and a sweep (``unacked_restore_interval``) another worker, or this one started again,
takes the tasks up. A task that had finished its work but not yet been acknowledged
when its worker died runs again: every task of the shop is idempotent.

The renewal runs in a thread of its own, so it goes on while a solo worker runs a task.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import bootsteps

logger = logging.getLogger(__name__)


def held_tags(channel: Any) -> list[str]:
    """Delivery tags of the messages this worker's channel holds unacknowledged."""
    for _ in range(3):
        try:
            return list(channel.qos._delivered)
        except RuntimeError:  # the consumer changed the dict while it was copied
            continue
    return []


def leases_renew(channel: Any, client: Any) -> int:
    """Stamp every task the channel holds with the present time (only tasks still in
    the unacked set: a task acknowledged meanwhile is not put back). Returns how many."""
    tags = held_tags(channel)
    if not tags:
        return 0
    now = time.time()
    pipe = client.pipeline(transaction=False)
    for tag in tags:
        pipe.zadd(channel.unacked_index_key, {tag: now}, xx=True)
    pipe.execute()
    return len(tags)


class TaskLeases(bootsteps.StartStopStep):
    """A worker consumer step: renews the leases of the tasks the worker holds."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, c: Any, **kwargs: Any) -> None:
        super().__init__(c, **kwargs)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, c: Any) -> None:
        channel = c.task_consumer.channel
        if not hasattr(channel, "unacked_index_key"):  # a broker other than Redis
            return
        lease = float(channel.visibility_timeout)
        self.stopping.clear()
        self.thread = threading.Thread(
            target=self._keep,
            args=(channel, channel._create_client(), lease / 4),
            name="task-leases",
            daemon=True,
        )
        self.thread.start()

    def _keep(self, channel: Any, client: Any, every: float) -> None:
        while not self.stopping.wait(every):
            try:
                leases_renew(channel, client)
            except Exception:  # Redis away for a moment: renew at the next turn
                logger.warning("could not renew the leases of held tasks", exc_info=True)

    def stop(self, c: Any) -> None:
        self.stopping.set()

    shutdown = stop

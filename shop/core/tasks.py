"""Enqueueing Celery tasks safely: after the transaction commits, and never failing the caller.

If the broker is unreachable the task is not lost: each task has a periodic sweep
that finds the work still to do (for example paid orders without shipments).

A web request sends its tasks through :class:`Publisher`: the message Celery builds
(``as_task_v2``), published on one kept broker channel to the task's queue. Celery's own
``apply_async`` does the same and more per message (looks up the task's options, routes
it, takes a producer from its pool, declares the queue, wraps the publish in its retry
policy, builds a result object), which on a checkout cost several times the LPUSH
itself. Tasks sent from inside a task, and in-process (eager) tasks, go through
``apply_async`` as before.
"""

from __future__ import annotations

import logging
import os
import smtplib
import threading
from typing import Any

from celery import signals
from celery.utils.nodenames import anon_nodename
from django.db import InterfaceError, OperationalError, close_old_connections, transaction
from kombu.serialization import dumps
from kombu.utils.uuid import uuid

logger = logging.getLogger(__name__)

# How the shop's tasks retry: only on temporary failures, with exponential backoff and
# jitter, a bounded number of times, each run bounded in time.
MAX_RETRIES = 8
DATABASE_TEMPORARY = (OperationalError, InterfaceError)
RETRY_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": DATABASE_TEMPORARY,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
    "soft_time_limit": 60,
    "time_limit": 90,
}
# E-mails: a mail server away for a moment is temporary too.
EMAIL_TASK_OPTIONS: dict[str, Any] = {
    **RETRY_OPTIONS,
    "autoretry_for": (
        smtplib.SMTPServerDisconnected,
        smtplib.SMTPConnectError,
        ConnectionError,
        TimeoutError,
        *DATABASE_TEMPORARY,
    ),
}
# Periodic sweeps run again at their next turn anyway: few retries, more time.
PERIODIC_OPTIONS: dict[str, Any] = {
    **RETRY_OPTIONS,
    "max_retries": 2,
    "soft_time_limit": 240,
    "time_limit": 300,
}


@signals.task_prerun.connect(weak=False)
@signals.task_postrun.connect(weak=False)
def _connections_tidy(task: Any = None, **_: Any) -> None:
    """Around each task in a worker, what Django does around each request: a connection
    older than ``CONN_MAX_AGE``, broken, or left by an error is closed (the next
    statement opens a new one); a healthy one is kept for the next task. Celery's own
    closing of every connection around every task is set to rare
    (``CELERY_DB_REUSE_MAX``). Tasks run in-process (eager) belong to their caller."""
    if task is None or getattr(task.request, "is_eager", False):
        return
    close_old_connections()


class Publisher:
    """Sends task messages for one process, thread and broker on one kept channel, to
    the queue the task routes to (declared once)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.broker_url = app.conf.broker_url
        self.pid = os.getpid()
        self.connection = app.connection_for_write()
        self.channel = self.connection.default_channel
        self.origin = anon_nodename()
        self.routes: dict[str, tuple[str, int]] = {}

    def usable_for(self, app: Any) -> bool:
        return (
            self.app is app and self.pid == os.getpid() and self.broker_url == app.conf.broker_url
        )

    def close(self) -> None:
        try:
            self.connection.release()
        except Exception:  # a broken connection has nothing left to close
            logger.debug("broker connection already gone", exc_info=True)

    def _route(self, task: Any) -> tuple[str, int]:
        route = self.routes.get(task.name)
        if route is None:
            queue = self.app.amqp.router.route({}, task.name, (), {}, task)["queue"]
            queue(self.channel).declare()
            route = (queue.name, queue.exchange.delivery_mode or 2)
            self.routes[task.name] = route
        return route

    def send(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        """Publish one message for ``task``; returns its id."""
        queue, delivery_mode = self._route(task)
        task_id = uuid()
        headers, properties, body, _ = self.app.amqp.as_task_v2(
            task_id,
            task.name,
            args,
            kwargs,
            time_limit=task.time_limit,
            soft_time_limit=task.soft_time_limit,
            ignore_result=task.ignore_result,
            reply_to=self.app.thread_oid,
            origin=self.origin,
        )
        signals.before_task_publish.send(
            sender=task.name,
            body=body,
            exchange="",
            routing_key=queue,
            declare=[],
            headers=headers,
            properties=properties,
            retry_policy={},
        )
        properties["delivery_mode"] = delivery_mode
        content_type, content_encoding, data = dumps(body, serializer="json")
        message = self.channel.prepare_message(
            data, 0, content_type, content_encoding, headers, properties
        )
        self.channel.basic_publish(message, exchange="", routing_key=queue)
        signals.after_task_publish.send(
            sender=task.name, body=body, headers=headers, exchange="", routing_key=queue
        )
        return task_id


_local = threading.local()


def _publisher(app: Any) -> Publisher | None:
    """The kept publisher of this thread, or None where ``apply_async`` is to be used:
    tasks run in-process, or sent from inside a task (Celery links them to it)."""
    if app.conf.task_always_eager or app.current_worker_task is not None:
        return None
    publisher: Publisher | None = getattr(_local, "publisher", None)
    if publisher is None or not publisher.usable_for(app):
        if publisher is not None:
            publisher.close()
        publisher = _local.publisher = Publisher(app)
    return publisher


def _publisher_forget() -> None:
    publisher = getattr(_local, "publisher", None)
    _local.publisher = None
    if publisher is not None:
        publisher.close()


_tasks_loading = threading.Lock()


def task_named(name: str) -> Any:
    """The registered task of that name (``"fulfillment.order_paid"``): a domain enqueues
    the tasks of a domain above it by name, never by importing it. Every app's tasks
    module is loaded first, as a worker loads them."""
    from celery import current_app

    tasks = current_app.tasks
    if name not in tasks:
        # One thread loads them while the others wait: with threaded web workers
        # (gunicorn's gthread) the first requests of a process arrive together, and
        # Celery's loader answers a second caller at once, before the first has
        # registered every task (the order then committed, and its answer was a 500).
        with _tasks_loading:
            if name not in tasks:
                current_app.loader.import_default_modules()
    return tasks[name]


def enqueue(task: Any, *args: Any, **kwargs: Any) -> bool:
    """Send a task (the task, or its registered name) now; log and return False when the
    broker cannot take it."""
    if isinstance(task, str):
        task = task_named(task)
    try:
        publisher = _publisher(task.app)
        if publisher is None:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        else:
            publisher.send(task, args, kwargs)
    except Exception:  # broker down or misconfigured: the periodic sweep catches up
        _publisher_forget()  # the next task connects again
        logger.warning("could not enqueue %s%r; a sweep will pick it up", task.name, args)
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send a task (or its name) once the current transaction has committed (at once
    outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))

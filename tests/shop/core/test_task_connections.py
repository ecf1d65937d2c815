"""Around each task a worker keeps a healthy database connection, as a web process does
between requests (``CONN_MAX_AGE``), and closes one that is too old; Celery's own
closing of every connection around every task is made rare (``CELERY_DB_REUSE_MAX``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery import signals
from django.conf import settings
from django.db import connection

from fulfillment.tasks import order_email_send

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def max_age() -> Iterator[dict]:
    kept = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    yield connection.settings_dict
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = kept


def _a_task_runs() -> None:
    """What a worker's trace sends around a task (the task's own work left out)."""
    for signal in (signals.task_prerun, signals.task_postrun):
        signal.send(
            sender=order_email_send, task_id="t-1", task=order_email_send, args=(), kwargs={}
        )


def test_a_healthy_connection_is_kept_for_the_next_task(max_age):
    max_age["CONN_MAX_AGE"] = 60
    connection.ensure_connection()
    opened = connection.connection

    _a_task_runs()

    assert connection.connection is opened


def test_a_connection_past_its_age_is_closed_after_the_task(max_age):
    max_age["CONN_MAX_AGE"] = 0
    connection.ensure_connection()

    _a_task_runs()

    assert connection.connection is None


def test_celery_closes_connections_around_tasks_only_now_and_then():
    assert settings.CELERY_DB_REUSE_MAX >= 100

"""A real broker for the kernel's task tests: published to the test Redis, consumed by
a worker in a thread (``in_thread_worker``)."""

from __future__ import annotations

import os

import pytest
import redis
from django.conf import settings as django_settings

from shop.celery import app as celery_app


@pytest.fixture
def real_broker(settings):
    """Publish to the test Redis and consume with a real (in-thread) Celery worker."""
    conf = celery_app.conf
    saved = {
        "task_always_eager": conf.task_always_eager,
        "broker_url": conf.broker_url,
        "result_backend": conf.result_backend,
    }
    conf.task_always_eager = False
    conf.broker_url = django_settings.REDIS_URL
    conf.result_backend = None
    queue = f"hardening-tests-{os.getpid()}"
    try:
        yield queue
    finally:
        conf.update(saved)
        redis.Redis.from_url(django_settings.REDIS_URL).delete(queue)

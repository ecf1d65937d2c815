"""The Redis transport of the task broker, with one Redis client per channel.

kombu's Redis channel builds a new ``redis.Redis`` object around its connection pool
for every message it sends (and every other short command), which on a checkout cost
more than the LPUSH itself. The client object holds nothing but the pool and its
options, and the pool hands out connections to any number of callers at once, so one
client per channel serves them all. ``CELERY_BROKER_TRANSPORT`` names this transport
when the broker is Redis (shop/settings/components/tasks.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    @cached_property
    def _shared_client(self) -> Any:
        return self._create_client()  # type: ignore[attr-defined]

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        yield client or self._shared_client


class Transport(redis.Transport):
    Channel = Channel

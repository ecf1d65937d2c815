"""A Redis cache that the shop keeps serving without.

Everything the shop keeps in the cache (throttle counters, kept answers) can be
recomputed or skipped, so when Redis cannot be reached or does not answer in time,
a read is a miss and a write does nothing, instead of a 500 for the shopper. The
outage is logged as a warning at most once per ``WARNING_INTERVAL`` seconds per
process, so a dead Redis does not flood the logs at hundreds of requests a second.

Connection and read timeouts default to short ones (``OPTIONS``
``socket_connect_timeout`` and ``socket_timeout`` override them), so a Redis that
vanished without closing its sockets costs a request a second, not minutes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What an unreachable or stalled Redis raises: redis-py's connection and timeout
# errors, and the socket errors underneath them.
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, OSError)


class TolerantRedisCache(RedisCache):
    """Django's Redis cache, where Redis being down is a miss, never an error."""

    WARNING_INTERVAL = 30.0
    DEFAULT_SOCKET_TIMEOUT = 1.0
    # What the warning interval is measured on; a test gives a cache its own.
    clock = staticmethod(time.monotonic)

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", self.DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", self.DEFAULT_SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        self._warned_at = 0.0
        self._warn_lock = threading.Lock()

    def _unavailable(self, operation: str, exc: BaseException) -> None:
        now = self.clock()
        with self._warn_lock:
            if self._warned_at and now - self._warned_at < self.WARNING_INTERVAL:
                return
            self._warned_at = now
        logger.warning(
            "cache unavailable, %s treated as a miss: %s: %s (next warning in %ss at the earliest)",
            operation,
            type(exc).__name__,
            exc,
            int(self.WARNING_INTERVAL),
        )

    def _tolerate(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        try:
            return call()
        except UNAVAILABLE as exc:
            self._unavailable(operation, exc)
            return fallback

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._tolerate(
            "add", lambda: super(TolerantRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._tolerate(
            "get", lambda: super(TolerantRedisCache, self).get(key, default, version), default
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._tolerate(
            "set", lambda: super(TolerantRedisCache, self).set(key, value, timeout, version), None
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._tolerate(
            "touch", lambda: super(TolerantRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._tolerate(
            "delete", lambda: super(TolerantRedisCache, self).delete(key, version), False
        )

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._tolerate(
            "get_many", lambda: super(TolerantRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._tolerate(
            "has_key", lambda: super(TolerantRedisCache, self).has_key(key, version), False
        )

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            self._unavailable("incr", exc)
            # What a missing key gives, which callers of incr() already handle.
            raise ValueError(f"Key {key!r} not found (cache unavailable).") from exc

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        # Nothing was stored: every key failed.
        return self._tolerate(
            "set_many",
            lambda: super(TolerantRedisCache, self).set_many(data, timeout, version),
            list(data),
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._tolerate(
            "delete_many", lambda: super(TolerantRedisCache, self).delete_many(keys, version), None
        )

    def clear(self) -> None:
        self._tolerate("clear", lambda: super(TolerantRedisCache, self).clear(), None)


class _DefaultRedis:
    """One Redis client per process for the default cache's server, for the few hot
    paths that need a command Django's cache has not (or one round trip where the cache
    takes two): Django's cache builds a new client object on every call, which costs
    more than the command itself."""

    def __init__(self) -> None:
        self.location = ""
        self.client: redis.Redis | None = None

    def get(self) -> redis.Redis | None:
        from django.conf import settings

        config: dict[str, Any] = settings.CACHES.get("default", {})
        if "redis" not in str(config.get("BACKEND", "")).lower():
            return None
        location = str(config["LOCATION"])
        if self.client is None or location != self.location:
            options: dict[str, Any] = config.get("OPTIONS") or {}
            self.client = redis.Redis.from_url(
                location,
                socket_timeout=options.get(
                    "socket_timeout", TolerantRedisCache.DEFAULT_SOCKET_TIMEOUT
                ),
                socket_connect_timeout=options.get(
                    "socket_connect_timeout", TolerantRedisCache.DEFAULT_SOCKET_TIMEOUT
                ),
            )
            self.location = location
        return self.client


_default_redis = _DefaultRedis()


def default_cache_redis() -> redis.Redis | None:
    """The Redis client of the default cache, or None when the cache is not Redis.
    Keys must be made with ``cache.make_key`` to be the cache's keys."""
    return _default_redis.get()

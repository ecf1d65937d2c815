"""Rate limits per endpoint scope (sign-in, registration, cart, checkout), counted in Redis.

Differences from DRF's ``ScopedRateThrottle``, and why:

- The rates are read from settings at request time, so an operator's or a test's
  setting takes effect without re-importing the views.
- Each request is one atomic ``INCR`` on a counter per scope, client and time window,
  instead of DRF's read-modify-write of a request history, which lets a burst of
  concurrent requests (a livestream drop) all slip through.
- The client of an anonymous request is its address as seen by the last trusted proxy
  (``THROTTLE_TRUSTED_PROXIES``), not whatever ``X-Forwarded-For`` it sends, which a
  client could change on every request to get a fresh budget.
- When the cache is down the request is let through (and logged): a Redis outage must
  not lock every shopper out of the shop.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle

from shop.core.cache import default_cache_redis

logger = logging.getLogger(__name__)

# The count of a window, in one round trip: the first request of a window creates its
# counter with the window's lifetime. KEYS[1]: the counter; ARGV[1]: its lifetime (s).
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""
_scripts: dict[int, Any] = {}

# While Redis is down every request would log; one warning per interval says enough.
_WARNING_INTERVAL_SECONDS = 30.0
_last_warning = 0.0


def _warn_unavailable(scope: str, exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARNING_INTERVAL_SECONDS:
        _last_warning = now
        logger.warning("throttle %s not applied: cache unavailable (%s)", scope, exc)


def throttle_rates() -> dict[str, str | None]:
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES")
    return rates if isinstance(rates, dict) else {}


def client_address(request: Any) -> str:
    """The client's IP: REMOTE_ADDR, or the address the last trusted proxy saw."""
    remote_addr = request.META.get("REMOTE_ADDR") or ""
    proxies: int = settings.THROTTLE_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote_addr
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote_addr
    return hops[-min(proxies, len(hops))]


class ShopScopedRateThrottle(ScopedRateThrottle):
    """``throttle_scope`` on the view names the rate; counted per user or per client IP."""

    window_start: int = 0

    def get_rate(self) -> str | None:
        return throttle_rates().get(self.scope or "")

    def get_ident(self, request: Any) -> str:
        return client_address(request)

    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.num_requests is None or self.duration is None:
            return True

        self.now = self.timer()  # DRF's clock (time.time); tests give their own
        window = int(self.now // self.duration)
        self.window_start = window * self.duration
        self.key = self.get_cache_key(request, view)
        window_key = f"{self.key}:{window}"
        try:
            count = window_count(window_key, lifetime=self.duration + 1)
        except Exception as exc:
            _warn_unavailable(self.scope, exc)
            return True
        return count <= self.num_requests

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"

    def wait(self) -> float:
        """Whole seconds until the current window ends (at least one)."""
        assert self.duration is not None
        return float(max(1, math.ceil(self.window_start + self.duration - self.now)))


def window_count(window_key: str, *, lifetime: int) -> int:
    """Count one more request in a window; the counter expires with its window."""
    client = default_cache_redis()
    if client is None:  # a cache without Redis (a first run): two cache calls
        cache.add(window_key, 0, timeout=lifetime)
        return int(cache.incr(window_key))
    script = _scripts.get(id(client))
    if script is None:
        _scripts.clear()
        script = _scripts[id(client)] = client.register_script(_COUNT)
    return int(script(keys=[cache.make_key(window_key)], args=[lifetime]))


class _Scope:
    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def rate_wait(request: Any, scope: str) -> int | None:
    """Count this request in ``scope``'s rate for its client (a page outside DRF):
    None while within the rate, else whole seconds to wait."""
    throttle = ShopScopedRateThrottle()
    if throttle.allow_request(request, _Scope(scope)):
        return None
    return int(throttle.wait())

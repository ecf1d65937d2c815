"""Failed attempts counted per key, and the lock-out they earn.

Used where a caller proves something by guessing a secret (a password, an order's
e-mail): after ``failures`` failed attempts for one key within ``seconds``, the key is
locked for ``seconds``, whoever asks. The counts live in the default cache (Redis in
production, process memory on the embedded default), like the throttles' counts; each
failure is one atomic count, so concurrent guesses cannot slip past the limit.

When the cache is down nothing is counted and nothing is locked (logged): a Redis
outage must not lock every shopper out, and the throttles' per-client rates still
bound what one client can try.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

from shop.core.throttling import window_count

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttemptLimit:
    scope: str  # what is guessed, e.g. "sign_in_account"; keeps each kind's counts apart
    failures: int  # failed attempts allowed for one key before it is locked
    seconds: int  # the window failures are counted in, and how long a lock lasts


def _keys(limit: AttemptLimit, key: str) -> tuple[str, str]:
    # A digest: keys may be e-mail addresses or anything a URL carries.
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"attempts:{limit.scope}:{digest}", f"attempts-lock:{limit.scope}:{digest}"


def attempts_locked_for(limit: AttemptLimit, key: str) -> int:
    """Whole seconds until the key may be tried again; 0 when it is not locked."""
    try:
        unlock_at = cache.get(_keys(limit, key)[1])
    except Exception as exc:  # the cache is down: nothing is locked
        logger.warning("lock of %s not read: %s", limit.scope, exc)
        return 0
    if unlock_at is None:
        return 0
    return max(0, math.ceil(float(unlock_at) - time.time()))


def attempt_failed(limit: AttemptLimit, key: str) -> int:
    """Count a failed attempt; the one that reaches the limit locks the key. Returns the
    count in the current window (0 when the cache is down)."""
    counter, lock = _keys(limit, key)
    try:
        count = window_count(counter, lifetime=limit.seconds)
        if count >= limit.failures:
            cache.set(lock, time.time() + limit.seconds, timeout=limit.seconds)
            cache.delete(counter)
    except Exception as exc:  # the cache is down: count nothing, lock nothing
        logger.warning("failed attempt not counted for %s: %s", limit.scope, exc)
        return 0
    return count


def attempts_clear(limit: AttemptLimit, key: str) -> None:
    """Forget the key's failures and lift its lock (after a success, or by an operator)."""
    try:
        cache.delete_many(list(_keys(limit, key)))
    except Exception as exc:
        logger.warning("attempts of %s not cleared: %s", limit.scope, exc)

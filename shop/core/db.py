"""Database helpers: running a whole transaction again when PostgreSQL gave it up to keep
the data consistent, taking an id before the insert, filling a related cache.

PostgreSQL aborts one of two transactions that deadlock (SQLSTATE 40P01) or that
cannot be serialized (40001). Nothing of the aborted one was written, so running it
again from the start is safe, and is what PostgreSQL asks clients to do. Only a
function that opens its own transaction (a service decorated with
``transaction.atomic`` or opening one inside) can be repeated this way: inside an
enclosing transaction the failure is passed on, because the enclosing work is lost
too and only its owner can start over.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

logger = logging.getLogger(__name__)

SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
RETRYABLE_SQLSTATES = frozenset({SERIALIZATION_FAILURE, DEADLOCK_DETECTED})

P = ParamSpec("P")
R = TypeVar("R")


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error, looking through Django's wrapping."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if state:
            return str(state)
        current = current.__cause__ or current.__context__
    return None


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, DatabaseError) and sqlstate_of(exc) in RETRYABLE_SQLSTATES


def transaction_retry(
    func: Callable[P, R] | None = None,
    *,
    attempts: int = 4,
    base_delay: float = 0.02,
    max_delay: float = 0.5,
    using: str = DEFAULT_DB_ALIAS,
) -> Any:
    """Decorate a function that owns its transaction: run it again, at most ``attempts``
    times in all, when it fails with a deadlock or a serialization failure.

    Waits between attempts grow exponentially from ``base_delay`` with full jitter, so
    the transactions that collided do not collide again at once. The last failure is
    raised as it was. Usable bare (``@transaction_retry``) or with arguments.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")

    def decorate(inner: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(inner)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            connection = connections[using]
            for attempt in range(1, attempts + 1):
                try:
                    return inner(*args, **kwargs)
                except DatabaseError as exc:
                    if not is_retryable(exc) or connection.in_atomic_block or attempt == attempts:
                        raise
                    delay = random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1)))
                    logger.warning(
                        "%s: %s (SQLSTATE %s), attempt %s of %s; again in %.3fs",
                        inner.__qualname__,
                        type(exc).__name__,
                        sqlstate_of(exc),
                        attempt,
                        attempts,
                        delay,
                    )
                    time.sleep(delay)
            raise AssertionError("unreachable")  # pragma: no cover

        return wrapper

    if func is not None:
        return decorate(func)
    return decorate


def next_id(model: type[Model], using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The primary key the next row of ``model`` would get, taken from its sequence now
    (PostgreSQL), so a row that shows its own id in another column (an order number) is
    written in one INSERT; None where there is no sequence to ask (SQLite)."""
    return next_ids(model, using=using)[0]


def next_ids(*models: type[Model], using: str = DEFAULT_DB_ALIAS) -> list[int | None]:
    """``next_id`` of each model, all taken in one statement."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return [None] * len(models)
    taken = ", ".join(["nextval(pg_get_serial_sequence(%s, %s))"] * len(models))
    params = []
    for model in models:
        params += [model._meta.db_table, model._meta.pk.column]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {taken}", params)
        return [int(value) for value in cursor.fetchone()]


def related_cache_set(instance: Model, related_name: str, objects: Iterable[Model]) -> None:
    """Make ``instance.<related_name>.all()`` answer ``objects`` without a query, for a
    caller that has just written or read all of them: what ``prefetch_related`` stores."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.pop(related_name, None)
    queryset = getattr(instance, related_name).get_queryset()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache[related_name] = queryset

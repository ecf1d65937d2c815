"""The search's statements planned for their own words, every time (PostgreSQL).

The shop lets psycopg prepare a statement it has run ``DATABASE_PREPARE_THRESHOLD``
times; PostgreSQL may then keep one generic plan for it. For the search that plan is
blind to the words (``search_text LIKE $1``): it cannot tell a word a tenth of the
catalog holds from a rare one, nor use what the characters index says of a two-character
word, and at 100,000 products it took 1.5 s where the plan made for the words takes
30 ms. Inside :func:`unprepared` every statement is sent unprepared (psycopg's
``prepare=False``), so each is planned with its values; nothing else changes (the same
statements, the same count, the shop's other statements still prepared).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection


def _unprepared(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    raw = context["cursor"].cursor
    if many or isinstance(raw, psycopg.ServerCursor):  # a named cursor is never prepared
        return execute(sql, params, many, context)
    with context["connection"].wrap_database_errors:
        if params is None:
            return raw.execute(sql, prepare=False)
        return raw.execute(sql, params, prepare=False)


@contextmanager
def unprepared() -> Iterator[None]:
    """Statements run inside are planned for their values (PostgreSQL; elsewhere a no-op)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.execute_wrapper(_unprepared):
        yield

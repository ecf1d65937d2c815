"""Reads that may be a moment old go to a read replica, when there is one.

With ``DATABASE_REPLICA_URL`` set, the database alias ``replica`` is a streaming
replica of the primary, and :class:`ReplicaRouter` sends it the reads made inside
:func:`replica_reads`: partners' reports, their ledger pages and CSV exports, which
read many rows and may lag the primary by a second. Everything else reads the primary:
by default (a shopper's order right after paying, sign-in, tokens, permissions), and
inside a transaction on the primary (a read that follows its own write in the same
transaction), whatever the block says. Writes always go to the primary. Without a
replica, nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica (outside a transaction on the primary). Also a
    decorator: ``@replica_reads()``."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry, installed only when a replica is configured."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not _replica_reads.get() or REPLICA not in settings.DATABASES:
            return None
        if connections["default"].in_atomic_block:
            return "default"  # it must see what this transaction wrote
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two ways in

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"

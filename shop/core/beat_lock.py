"""Exactly one Celery beat: the one holding a PostgreSQL advisory lock schedules, any
other started by mistake (a second host, ``--scale beat=2``, a restart that overlaps
the old container) waits as a standby and schedules nothing.

The lock is a session lock, held on a connection of its own for as long as the beat
runs; if that connection is lost (the server restarted, the network cut), the lock is
released by the server and whichever beat asks first takes it. A session lock needs a
session: beat connects to PostgreSQL itself, never through PgBouncer in transaction
mode (docker-compose.yml gives beat ``DATABASE_DIRECT_URL``). The check is made at every
tick of the scheduler, which also writes beat's heartbeat (``leader`` or ``standby``).
The lock lives on the database server, not in Redis: a Redis outage must not let two
beats schedule once it is over.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from celery.beat import PersistentScheduler
from django.conf import settings

from shop.core.heartbeat import heartbeat_touch

logger = logging.getLogger(__name__)

# pg_advisory_lock's key: "shopbeat" in ASCII, one bigint; advisory locks are per database.
LOCK_KEY = int.from_bytes(b"shopbeat", "big") & 0x7FFFFFFFFFFFFFFF
# How often a standby asks for the lock again.
STANDBY_SECONDS = 5.0


def lock_connection_parameters() -> dict[str, Any]:
    """The default database's PostgreSQL connection parameters, with TCP keepalives so
    that a leader cut off from the server loses its session (and the lock) in seconds."""
    database = settings.DATABASES["default"]
    parameters: dict[str, Any] = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "autocommit": True,
        "connect_timeout": 5,
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "application_name": "shop-beat-lock",
    }
    return {key: value for key, value in parameters.items() if value is not None}


class BeatLock:
    """The advisory lock and the connection that holds it."""

    def __init__(self) -> None:
        self.connection: psycopg.Connection | None = None

    def held(self) -> bool:
        """Whether this beat holds the lock now, taking it if it is free."""
        if self.connection is not None:
            try:
                self.connection.execute("SELECT 1")
                return True
            except psycopg.Error as exc:
                logger.warning("beat: lost the scheduling lock (%s)", type(exc).__name__)
                self.release()
        try:
            connection = psycopg.connect(**lock_connection_parameters())
        except psycopg.Error as exc:
            logger.warning("beat: cannot reach the database for the lock (%s)", exc)
            return False
        row = connection.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()
        if not (row and row[0]):
            connection.close()
            return False
        self.connection = connection
        return True

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()  # the server releases a session lock with its session
            finally:
                self.connection = None


class SingleBeatScheduler(PersistentScheduler):
    """Celery's persistent scheduler, ticking only while this beat holds the lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.lock = BeatLock()
        self.leading: bool | None = None
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        leading = self.lock.held()
        if leading != self.leading:
            logger.info(
                "beat: %s",
                "this beat holds the lock and schedules"
                if leading
                else "another beat holds the lock: this one is a standby and schedules nothing",
            )
            self.leading = leading
        heartbeat_touch("beat", "leader" if leading else "standby")
        if not leading:
            return STANDBY_SECONDS
        return float(super().tick(*args, **kwargs))

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.lock.release()

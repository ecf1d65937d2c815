"""Django's PostgreSQL backend, with a health check of a kept connection that costs no
round trip.

With ``CONN_HEALTH_CHECKS`` (production) Django asks a kept connection ``SELECT 1``
before the first statement of every request: a statement more for every request the
shop answers. A server that ends a session (a restart, a terminated backend) tells the
client and closes the socket, so a socket with nothing to read is a session still there;
only when there is something to read is the connection asked as Django asks it. A
network that drops the connection without a word is not seen by either check until a
statement fails (the request answers 503 and the connection is dropped).
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None:
            return False
        pgconn = self.connection.pgconn
        try:
            watch = select.poll()
            watch.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
            quiet = not watch.poll(0)
        except (OSError, ValueError, psycopg.Error):  # no socket any more
            return False
        if quiet and pgconn.status == 0:  # psycopg.pq.ConnStatus.OK
            return True
        return bool(super().is_usable())

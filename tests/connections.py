"""A connection of its own to the test database, beside Django's: another process
holding locks, an operator's session, a second client."""

from __future__ import annotations

import psycopg
from django.db import connection


def separate_connection(*, autocommit: bool = False) -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        autocommit=autocommit,
    )

"""Writing the benchmark's rows behind the ORM's back: COPY, plain statements through
Django's cursor, foreign-key checks off while bulk rows go in, sequences moved past the
ids used, and creating or dropping the benchmark database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import yaml
from django.db import connection
from psycopg import sql as psql


def copy_rows(table: str, columns: list[str], rows: Any) -> int:
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def execute(sql: str | psql.Composable, params: Any = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def replica_mode(on: bool = True) -> None:
    execute(f"SET session_replication_role = {'replica' if on else 'origin'}")


def sequences_reset(tables: list[str]) -> None:
    """Each table's id sequence moved past the ids the seed wrote (names quoted by
    psycopg's composition)."""
    statement = psql.SQL(
        "SELECT setval(pg_get_serial_sequence({name}, 'id'),"
        " GREATEST((SELECT max(id) FROM {table}), 1))"
    )
    for table in tables:
        execute(statement.format(name=psql.Literal(table), table=psql.Identifier(table)))


def fetch(sql: str, params: Any = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def server_settings() -> list[tuple[str, str]]:
    """The PostgreSQL settings production runs with: the ``-c name=value`` pairs of
    docker-compose.yml's database command."""
    command = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["db"]["command"]
    pairs = [command[at + 1] for at, word in enumerate(command[:-1]) if word == "-c"]
    return [(name, value) for name, _, value in (pair.partition("=") for pair in pairs)]


def database_reset(admin_url: str, name: str) -> None:
    """The benchmark's database made again, empty, with production's server settings
    (on a server other runs share, they are the database's own)."""
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        for setting, value in server_settings():
            admin.execute(
                psql.SQL("ALTER DATABASE {} SET {} = {}").format(
                    psql.Identifier(name), psql.Identifier(setting), psql.Literal(value)
                )
            )


def database_drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# What the selling scenarios write to: the planner must know how big they have grown.
SELLING_TABLES = (
    "carts_cart",
    "carts_cartline",
    "orders_order",
    "orders_orderline",
    "orders_orderevent",
    "checkout_reservation",
    "payments_payment",
    "payments_fakecharge",
    "partners_ledgerentry",
    "partners_dailysales",
    "partners_dailytotals",
    "partners_monthlyproductsales",
    "catalog_stock",
    "fulfillment_shipment",
)


def autovacuum_on() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return str(cursor.fetchone()[0]) == "on"


def selling_tables_analyze() -> None:
    """What autovacuum does on a production server (it is off on some machines, which
    leaves the planner believing the order tables as empty as when they were seeded)."""
    execute("ANALYZE " + ", ".join(SELLING_TABLES))

"""make bench's database runs with the PostgreSQL settings production runs with
(docker-compose.yml's database command), on the shared server as the database's own."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from psycopg.sql import SQL, Identifier

from bench.seed.database import database_drop, database_reset, server_settings

pytestmark = pytest.mark.postgresql


def test_the_settings_are_those_of_the_compose_files_database():
    assert server_settings() == [
        ("jit", "off"),
        ("random_page_cost", "1.1"),
        ("max_parallel_workers_per_gather", "0"),
    ]


def test_a_benchmark_database_is_made_with_those_settings():
    database = settings.DATABASES["default"]
    server = f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}"
    name = f"{database['TEST']['NAME']}_bench_settings"
    database_reset(f"{server}/postgres", name)
    try:
        with psycopg.connect(f"{server}/{name}") as connection:
            shown = [
                connection.execute(SQL("SHOW {}").format(Identifier(setting))).fetchone()[0]
                for setting, _ in server_settings()
            ]
    finally:
        database_drop(f"{server}/postgres", name)
    assert shown == ["off", "1.1", "0"]

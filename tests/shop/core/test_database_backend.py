"""The health check of kept database connections (shop/core/postgresql): a quiet socket
means the session is there, and costs no statement; anything to read makes it ask the
server as Django does. (A restart under running web requests is tested in
tests/hardening/test_faults.py.)"""

from __future__ import annotations

import select

import pytest
from django.db import connection
from django.db.backends.postgresql import base

from tests.connections import separate_connection

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


@pytest.fixture
def asked(monkeypatch):
    """Calls of Django's own check (a SELECT 1 round trip), which still answers."""
    calls: list[bool] = []
    original = base.DatabaseWrapper.is_usable

    def counted(self):
        calls.append(True)
        return original(self)

    monkeypatch.setattr(base.DatabaseWrapper, "is_usable", counted)
    return calls


def test_the_shop_uses_its_own_backend():
    assert connection.settings_dict["ENGINE"] == "shop.core.postgresql"
    assert connection.vendor == "postgresql"


def test_a_quiet_kept_connection_is_usable_without_a_round_trip(asked):
    connection.ensure_connection()

    assert connection.is_usable() is True
    assert asked == []


@pytest.mark.django_db(transaction=True)
def test_a_connection_with_something_to_read_asks_the_server(asked):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("LISTEN shop_backend_test")
    with separate_connection(autocommit=True) as other:
        other.execute("NOTIFY shop_backend_test")
    # The notification reaches the kept connection's socket.
    select.select([connection.connection.pgconn.socket], [], [], 2)

    assert connection.is_usable() is True
    assert asked == [True]


def test_a_closed_connection_is_not_usable(asked):
    connection.ensure_connection()
    connection.connection.close()

    assert connection.is_usable() is False

"""Fixtures for the hardening tests: a shared realistic shop, clients per role, and the
invariant check that must hold after every fault."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from shop.ops.invariants import invariants_check
from tests.factories.demo_shop import DemoShop, demo_shop_build


@pytest.fixture(scope="module")
def demo_shop(django_db_setup, django_db_blocker) -> Iterator[DemoShop]:
    """The demo shop with orders in every state, built once per module in a transaction
    rolled back at the module's end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = demo_shop_build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def assert_invariants() -> None:
    violations = invariants_check()
    assert violations == [], "\n".join(str(v) for v in violations)


@pytest.fixture
def wsgi_keeps_connection():
    """Requests sent straight to the WSGI application (schemathesis) would close the
    database connection when they finish, and with it the test's transaction; Django's
    own test client avoids this the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)

"""Fixtures for payment tests: the ledger and task spies (the local fake Stripe is shared
by the whole suite)."""

from __future__ import annotations

import pytest

from tests.shop.payments.helpers import spying


@pytest.fixture
def spy():
    with spying() as watched:
        yield watched

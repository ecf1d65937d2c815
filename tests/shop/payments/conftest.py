"""Fixtures for payment tests: what payments left in the ledger and the task queue (the
local fake Stripe is shared by the whole suite)."""

from __future__ import annotations

import pytest

from tests.shop.payments.helpers import effects_recorded


@pytest.fixture
def spy():
    """The ledger's rows and the tasks sent (the name is older than what it does)."""
    with effects_recorded() as effects:
        yield effects

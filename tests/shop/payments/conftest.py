"""Fixtures for payment tests: the ledger and task spies, and a local fake Stripe."""

from __future__ import annotations

import pytest

from tests.shop.payments.fake_stripe import FakeStripe
from tests.shop.payments.helpers import WEBHOOK_SECRET, spying


@pytest.fixture
def spy():
    with spying() as watched:
        yield watched


@pytest.fixture
def fake_stripe(settings):
    """Stripe enabled and pointed at a local fake; the real ``stripe`` library is used."""
    fake = FakeStripe().start()
    settings.STRIPE_SECRET_KEY = "sk_test_shop"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_TIMEOUT_SECONDS = 2
    yield fake
    fake.stop()

"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from tests import factories
from tests.shop.payments.fake_stripe import FakeStripe
from tests.shop.payments.helpers import WEBHOOK_SECRET

# Property tests judge what they find, not how fast the machine makes examples: a CI machine
# shared with other runs must not fail them for slowness (a test may still set its own).
hypothesis_settings.register_profile(
    "shop", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("shop")


def pytest_collection_modifyitems(config, items):
    """On the embedded default's engine (SQLite), tests of what only PostgreSQL does
    (row locks under concurrency, a server restarting, its statements) are skipped;
    everything else runs on both engines."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL (this run is on {connection.vendor})")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Files the tests store (product pictures and their sizes) go to a directory of this
    run's own, away from other runs and checkouts. Demo pictures drawn by one test are
    found there by the next, as by a second ``load_demo``; tests about storing files
    give themselves an empty one (``media_root`` below)."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path_factory):
    """Private files (stored statements, CSV imports) of this test alone: two tests
    closing the same partner's month must not find each other's files."""
    location = tmp_path_factory.mktemp("private")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }


@pytest.fixture
def media_root(settings, tmp_path):
    """An empty MEDIA_ROOT for this test alone."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def staff_user(db):
    return factories.StaffFactory()


@pytest.fixture
def superuser(db):
    return factories.SuperuserFactory()


@pytest.fixture
def museum(db):
    return factories.PartnerFactory(code="museum", name_zh="恭王府博物馆", name_en="Palace Museum")


@pytest.fixture
def media(db):
    return factories.PartnerFactory(code="media", name_zh="新京报", name_en="Beijing News")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


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

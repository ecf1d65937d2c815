"""Channels kept per process for a few seconds, where catalog answers are kept.

Every storefront request names its channel; where catalog answers are kept (production,
the benchmark) a channel read in the last KEEP_SECONDS under the same catalog version is
not read again. Saving a channel and issuing a new key raise the version when they
commit, so they show at once.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from shop.channels import selectors
from shop.channels.errors import ChannelInactive, InvalidChannelKey
from shop.channels.selectors import channel_from_request
from shop.channels.services import channel_api_key_issue
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept():
    selectors._kept.clear()
    yield
    selectors._kept.clear()


@pytest.fixture
def cache_on(settings):
    settings.CATALOG_CACHE_SECONDS = 60


def by_code(code: str):
    return channel_from_request(RequestFactory().get("/", {"channel": code}))


def by_key(key: str):
    return channel_from_request(RequestFactory().get("/", HTTP_X_CHANNEL_KEY=key))


def test_a_channel_read_again_soon_needs_no_query(cache_on, django_assert_num_queries):
    channel = factories.SalesChannelFactory(code="museum-web", is_public=True)
    with django_assert_num_queries(1):
        first = by_code("museum-web")

    with django_assert_num_queries(0):
        again = by_code("museum-web")

    assert first.pk == again.pk == channel.pk
    assert again.owner_id == channel.owner_id
    assert again is not first  # each request gets its own copy


def test_without_catalog_caching_every_request_reads_the_channel(
    settings, django_assert_num_queries
):
    settings.CATALOG_CACHE_SECONDS = 0
    factories.SalesChannelFactory(code="museum-web", is_public=True)
    by_code("museum-web")

    with django_assert_num_queries(1):
        by_code("museum-web")
    assert selectors._kept == {}


def test_a_deactivated_channel_is_refused_at_once(cache_on, django_capture_on_commit_callbacks):
    channel = factories.SalesChannelFactory(code="museum-web", is_public=True)
    by_code("museum-web")

    with django_capture_on_commit_callbacks(execute=True):
        channel.is_active = False
        channel.save()

    with pytest.raises(ChannelInactive):
        by_code("museum-web")


def test_a_new_key_replaces_the_old_one_at_once(cache_on, django_capture_on_commit_callbacks):
    channel = factories.SalesChannelFactory(code="live")
    with django_capture_on_commit_callbacks(execute=True):
        old = channel_api_key_issue(channel=channel).key
    assert by_key(old).pk == channel.pk

    with django_capture_on_commit_callbacks(execute=True):
        new = channel_api_key_issue(channel=channel).key

    with pytest.raises(InvalidChannelKey):
        by_key(old)
    assert by_key(new).pk == channel.pk


def test_a_kept_channel_is_read_again_after_keep_seconds(
    cache_on, monkeypatch, django_assert_num_queries
):
    factories.SalesChannelFactory(code="museum-web", is_public=True)
    now = [1000.0]
    monkeypatch.setattr(selectors, "_clock", lambda: now[0])
    by_code("museum-web")

    now[0] += selectors.KEEP_SECONDS - 0.1
    with django_assert_num_queries(0):
        by_code("museum-web")
    now[0] += 0.2
    with django_assert_num_queries(1):
        by_code("museum-web")


def test_a_wrong_key_for_a_kept_prefix_is_refused(cache_on):
    channel = factories.SalesChannelFactory(code="live")
    key = channel_api_key_issue(channel=channel).key
    assert by_key(key).pk == channel.pk

    with pytest.raises(InvalidChannelKey):
        by_key(key[:-4] + "abcd")

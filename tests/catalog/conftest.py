"""Fixtures of the catalog's tests."""

import pytest

from tests.factories import SalesChannelFactory
from tests.factories.catalog_scenes import study_seal


@pytest.fixture
def channel(db):
    return SalesChannelFactory(code="museum-web", is_public=True)


@pytest.fixture
def seal(db, media_root):
    """A personalised limited edition with two variants, stocked, in a collection and a tag."""
    return study_seal()

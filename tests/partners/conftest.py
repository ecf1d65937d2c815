"""Fixtures shared by the partner tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests import factories
from tests.factories.ledger import agreement_with_terms


@pytest.fixture
def media_web(media):
    """The media group's own web shop, taking a 10% channel commission."""
    return factories.SalesChannelFactory(
        code="media-web", owner=media, commission_rate=Decimal("0.1000")
    )


@pytest.fixture
def blossoms():
    """A collection."""
    return factories.CollectionFactory(slug="blossoms")


@pytest.fixture
def blossoms_agreement(blossoms, museum, media):
    """The blossoms' agreement: the museum licensor at 60%, the media group designer at
    40%, a logistics fee of 8.00 per shipment."""
    return agreement_with_terms(
        collection=blossoms,
        parties=[(museum, "licensor", 6000), (media, "designer", 4000)],
        logistics_fee=Decimal("8.00"),
    )

"""Fixtures shared by the partner tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests import factories


@pytest.fixture
def media_web(media):
    """The media group's own web shop, taking a 10% channel commission."""
    return factories.SalesChannelFactory(
        code="media-web", owner=media, commission_rate=Decimal("0.1000")
    )

"""Fixtures of the settlement tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests import factories
from tests.factories.ledger import SHANGHAI, agreement_with_terms, paid_order, variant

MAY = dt.datetime(2025, 5, 10, 12, tzinfo=SHANGHAI)


@pytest.fixture
def order_paid_in_may(museum, media):
    """An order of three units paid on 10 May 2025 in Shanghai, shipping and a fee
    included; the museum licensor at 70%, the media group designer at 30%, its channel
    taking 15%."""
    collection = factories.CollectionFactory()
    agreement_with_terms(
        collection=collection, parties=[(museum, "licensor", 7000), (media, "designer", 3000)]
    )
    channel = factories.SalesChannelFactory(owner=media, commission_rate=Decimal("0.1500"))
    order, payment = paid_order(
        channel=channel,
        items=[(variant(collection, "66.60"), 3)],
        shipping=Decimal("10.00"),
        fee=Decimal("1.30"),
        paid_at=MAY,
    )
    return order, payment

"""The partners' ledger as the shipping steps leave it."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db.models import Min

from partners.models import LedgerEntry
from tests import factories


@pytest.fixture
def fees_charged(two_warehouses) -> Callable[[], list[int]]:
    """Both products under an agreement with a logistics fee, so a parcel that ships
    writes its fee to the partners' ledger; returns what lists the parcels charged so
    far, in the order they were."""
    for stock in (two_warehouses.museum_stock, two_warehouses.media_stock):
        version = factories.AgreementVersionFactory(
            agreement__collection=stock.variant.product.collection,
            logistics_fee=Decimal("8.00"),
        )
        factories.AgreementPartyFactory(version=version, partner=stock.warehouse.partner)

    def charged() -> list[int]:
        sources = (
            LedgerEntry.objects.filter(source__startswith="shipment:")
            .values("source")
            .annotate(first=Min("pk"))
            .order_by("first")
        )
        return [int(row["source"].removeprefix("shipment:")) for row in sources]

    return charged

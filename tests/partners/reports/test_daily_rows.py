"""The daily report rows an event feeds add up to the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partners.models import LedgerEntry
from shop.core.money import MoneySum
from tests import factories
from tests.factories.ledger import (
    daily_rows,
    paid_order,
    refund_of,
    shipped,
    variant,
)

pytestmark = pytest.mark.django_db


def test_daily_rows_add_up_to_each_partners_ledger(blossoms_agreement, blossoms, media_web, museum):
    order, payment = paid_order(
        channel=media_web,
        items=[(variant(blossoms, "88.80"), 2), (variant(blossoms, "12.34"), 5)],
        discount=Decimal("7.77"),
        shipping=Decimal("10.00"),
        fee=Decimal("1.11"),
    )
    refund_of(order, payment, Decimal("33.33"))
    shipped(order, factories.WarehouseFactory(partner=museum))

    ledger = dict(
        LedgerEntry.objects.values("partner_id")
        .annotate(s=MoneySum("amount"))
        .values_list("partner_id", "s")
    )
    daily = dict(
        daily_rows()
        .values("partner_id")
        .annotate(s=MoneySum("own_share"))
        .values_list("partner_id", "s")
    )
    assert daily == ledger
    captured_less_refunds_and_fees = payment.amount - Decimal("33.33") - payment.fee
    assert sum(ledger.values()) == captured_less_refunds_and_fees

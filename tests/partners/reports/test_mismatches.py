"""A partner sees the payment reconciliation's open lines of its own channels only, and
those still waiting for the next day's bill apart."""

import datetime as dt
from decimal import Decimal

import pytest

from shop.payments.models import BillMismatch, BillMismatchKind, BillStatement
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/partners/reports/payment-mismatches/?date_from=2026-12-01&date_to=2026-12-31"


def test_a_partner_sees_the_open_mismatches_of_its_own_channels(museum, media):
    statement = BillStatement.objects.create(provider="wechatpay", bill_date=dt.date(2026, 12, 6))
    old = BillStatement.objects.create(provider="alipay", bill_date=dt.date(2026, 11, 6))
    museum_shop = factories.SalesChannelFactory(owner=museum)
    media_app = factories.SalesChannelFactory(owner=media)
    rows = [
        (statement, museum_shop, "a", Decimal("10.00"), Decimal("12.50"), False),
        (statement, museum_shop, "b", None, Decimal("3.00"), False),
        (statement, museum_shop, "c", Decimal("1.00"), Decimal("2.00"), True),
        (statement, media_app, "d", Decimal("99.00"), None, False),
        (old, museum_shop, "e", Decimal("5.00"), None, False),  # outside the period
    ]
    BillMismatch.objects.create(  # waiting for the next day's bill: not a mismatch yet
        statement=statement,
        channel=museum_shop,
        kind=BillMismatchKind.NOT_IN_BILL,
        reference="f",
        shop_amount=Decimal("7.00"),
        pending=True,
    )
    for bill, channel, reference, shop, billed, resolved in rows:
        BillMismatch.objects.create(
            statement=bill,
            channel=channel,
            kind=BillMismatchKind.AMOUNT,
            reference=reference,
            shop_amount=shop,
            bill_amount=billed,
            resolved=resolved,
        )
    viewer = factories.PartnerMembershipFactory(partner=museum).user

    response = client_for(viewer).get(URL)

    assert response.status_code == 200
    assert response.json() == [
        {"provider": "wechatpay", "open": 2, "resolved": 1, "pending": 1, "difference": "5.50"}
    ]

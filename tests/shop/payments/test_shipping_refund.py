"""Staff refund the shipping charge alone, in the admin (with its confirmation page) and
through the staff API (what the ledger does with it: tests/partners/ledger/test_money_rules.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client

from shop.demo.data.loaders import staff_group_load
from shop.orders.models import Order
from shop.payments.models import Refund, RefundStatus
from shop.payments.services import payment_fake_complete, payment_start
from tests.conftest import client_for
from tests.factories import (
    PartnerFactory,
    PartnerStaffFactory,
    SalesChannelFactory,
    order_with_stock,
)
from tests.shop.payments.helpers import effects_recorded

pytestmark = pytest.mark.django_db

LIST = "/api/v1/staff/orders/"


@pytest.fixture
def museum_staff():
    return PartnerStaffFactory(partner=PartnerFactory(code="museum")).user


@pytest.fixture
def paid_with_shipping(museum_staff):
    """An order of 99.00 plus 12.00 shipping, paid through the fake provider."""
    channel = SalesChannelFactory(code="museum-web", owner=museum_staff.partner_membership.partner)
    order = order_with_stock(channel=channel)
    Order.objects.filter(pk=order.pk).update(
        shipping_price=Decimal("12.00"), total=F("total") + Decimal("12.00")
    )
    order.refresh_from_db()
    with effects_recorded():
        payment_fake_complete(
            payment=payment_start(order=order, provider="fake"), outcome="succeed"
        )
    order.refresh_from_db()
    return order


def test_the_staff_api_refunds_what_is_left_of_the_shipping(museum_staff, paid_with_shipping):
    order = paid_with_shipping
    staff = client_for(museum_staff)
    url = f"{LIST}{order.number}/refunds/"

    part = staff.post(url, {"shipping": True, "amount": "5.00"}, format="json")
    rest = staff.post(url, {"shipping": True}, format="json")
    more = staff.post(url, {"shipping": True, "amount": "0.01"}, format="json")
    with_lines = staff.post(
        url,
        {"shipping": True, "amount": "1.00", "lines": [{"line_id": 1, "quantity": 1}]},
        format="json",
    )
    no_amount = staff.post(url, {"reason": "no amount"}, format="json")

    assert (part.status_code, part.json()["shipping"], part.json()["amount"]) == (201, True, "5.00")
    assert (rest.status_code, rest.json()["amount"]) == (201, "7.00")
    assert more.status_code == 400 and "amount" in more.json()["fields"]
    assert with_lines.status_code == 400 and "lines" in with_lines.json()["fields"]
    assert no_amount.status_code == 400 and "amount" in no_amount.json()["fields"]
    refunds = Refund.objects.filter(order=order).order_by("pk")
    assert [(r.amount, r.shipping, r.status) for r in refunds] == [
        (Decimal("5.00"), True, RefundStatus.SUCCEEDED),
        (Decimal("7.00"), True, RefundStatus.SUCCEEDED),
    ]
    assert all(line.quantity_refunded == 0 for line in order.lines.all())


def test_the_admin_refunds_the_shipping_after_a_confirmation_page(museum_staff, paid_with_shipping):
    order = paid_with_shipping
    museum_staff.groups.add(staff_group_load())
    client = Client()
    client.force_login(museum_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chosen = {"action": "refund_shipping", "_selected_action": [order.pk]}

    asked = client.post("/admin/orders/order/", chosen)

    assert asked.status_code == 200
    assert "Shipping left to refund" in asked.content.decode()
    assert not Refund.objects.exists()

    client.post("/admin/orders/order/", {**chosen, "confirmed": "yes"})

    refund = Refund.objects.get()
    assert (refund.amount, refund.shipping) == (Decimal("12.00"), True)

"""Staff actions on stock, refunds and settlements leave a trail: who, when and what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from catalog.models import MovementReason, StockMovement
from partners.models import Settlement, SettlementEvent, SettlementStatus
from partners.settlements.periods import month_previous, month_start
from shop.orders.models import OrderEvent, OrderEventType
from shop.payments.models import Refund, RefundStatus
from tests import factories
from tests.conftest import client_for
from tests.factories import stock_with_units
from tests.hardening.conftest import assert_invariants
from tests.shop.payments.helpers import paid_order

pytestmark = pytest.mark.django_db


def _recent(moment: dt.datetime) -> bool:
    return timezone.now() - dt.timedelta(minutes=1) < moment <= timezone.now()


def test_every_stock_change_by_staff_names_who_when_what_and_why():
    membership = factories.PartnerStaffFactory()
    staff, partner = membership.user, membership.partner
    first = factories.WarehouseFactory(partner=partner, code="museum-a")
    second = factories.WarehouseFactory(partner=partner, code="museum-b")
    stock = stock_with_units(warehouse=first, quantity=10)
    sku = stock.variant.sku
    api = client_for(staff)

    assert (
        api.post(
            "/api/v1/staff/stock/receive/",
            {"sku": sku, "warehouse": first.code, "quantity": 5, "batch_reference": "B-7"},
            format="json",
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"/api/v1/staff/stock/{stock.pk}/adjust/",
            {"delta": -2, "note": "two broken in the showroom"},
            format="json",
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"/api/v1/staff/stock/{stock.pk}/count/", {"counted_quantity": 12}, format="json"
        ).status_code
        == 200
    )
    assert (
        api.post(
            "/api/v1/staff/stock/transfer/",
            {"sku": sku, "from_warehouse": first.code, "to_warehouse": second.code, "quantity": 3},
            format="json",
        ).status_code
        == 201
    )

    by_staff = StockMovement.objects.filter(created_by=staff).order_by("id")
    assert [(m.reason, m.quantity_delta, m.stock.warehouse.code) for m in by_staff] == [
        (MovementReason.RECEIPT, 5, "museum-a"),
        (MovementReason.ADJUSTMENT, -2, "museum-a"),
        (MovementReason.COUNT, -1, "museum-a"),
        (MovementReason.TRANSFER_OUT, -3, "museum-a"),
        (MovementReason.TRANSFER_IN, 3, "museum-b"),
    ]
    receipt, adjustment, count, out, into = by_staff
    assert receipt.reference == "B-7"
    assert adjustment.note == "two broken in the showroom"
    assert count.note == "Counted 12."
    assert out.reference == into.reference and out.reference.startswith("transfer-")
    assert all(_recent(m.created_at) for m in by_staff)
    # The staff API shows the trail with the name of who did it.
    listed = api.get(f"/api/v1/staff/stock/{stock.pk}/movements/").json()
    assert {row["created_by"] for row in listed["results"][:4]} == {staff.email}
    assert_invariants()


def test_refunds_by_staff_in_the_api_and_the_admin_name_who_asked():
    admin_user = factories.SuperuserFactory()
    order, _payment = paid_order(quantity=2, price="50.00")
    staff = factories.PartnerStaffFactory(partner=order.channel.owner).user

    response = client_for(staff).post(
        f"/api/v1/staff/orders/{order.number}/refunds/",
        {"amount": "30.00", "reason": "scratched lid"},
        format="json",
    )
    assert response.status_code == 201, response.json()

    web = Client()
    web.force_login(admin_user)
    response = web.post(
        "/admin/orders/order/",
        {"action": "refund_remaining", "_selected_action": [order.pk], "confirmed": "yes"},
    )
    assert response.status_code == 302

    refunds = list(Refund.objects.filter(order=order).order_by("id"))
    assert [(r.created_by, r.amount, r.reason, r.status) for r in refunds] == [
        (staff, Decimal("30.00"), "scratched lid", RefundStatus.SUCCEEDED),
        (admin_user, Decimal("70.00"), "refunded in the admin", RefundStatus.SUCCEEDED),
    ]
    asked = OrderEvent.objects.filter(order=order, type=OrderEventType.REFUND_REQUESTED)
    assert [(e.user, e.data["amount"]) for e in asked.order_by("id")] == [
        (staff, "30.00"),
        (admin_user, "70.00"),
    ]
    assert all(_recent(e.created_at) for e in asked)
    assert_invariants()


def test_a_staff_cancellation_names_who_cancelled():
    order, _payment = paid_order()
    staff = factories.PartnerStaffFactory(partner=order.channel.owner).user

    response = client_for(staff).post(
        f"/api/v1/staff/orders/{order.number}/cancel/", {"reason": "shopper called"}, format="json"
    )

    assert response.status_code == 200, response.json()
    cancelled = OrderEvent.objects.get(order=order, type=OrderEventType.CANCELLED)
    assert (cancelled.user, cancelled.data["reason"]) == (staff, "shopper called")
    assert Refund.objects.get(order=order).created_by == staff
    assert_invariants()


def test_closing_a_settlement_in_the_admin_names_who_closed_it():
    admin_user = factories.SuperuserFactory()
    partner = factories.PartnerFactory()
    last_month = month_previous(month_start(timezone.localdate()))
    settlement = Settlement.objects.create(partner=partner, period=last_month)

    web = Client()
    web.force_login(admin_user)
    response = web.post(
        "/admin/partners/settlement/",
        {"action": "close_selected", "_selected_action": [settlement.pk]},
    )

    assert response.status_code == 302
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.CLOSED
    closed = SettlementEvent.objects.get(settlement=settlement, type="closed")
    assert closed.data["closed_by"] == {
        "user_id": admin_user.pk,
        "email": admin_user.email,
        "by": "staff",
    }
    assert (closed.user, closed.from_status, closed.to_status) == (admin_user, "open", "closed")
    assert _recent(closed.created_at)
    page = web.get(f"/admin/partners/settlement/{settlement.pk}/change/")
    assert page.status_code == 200
    # The closing event's row in the settlement page shows who closed it.
    assert (
        f'/admin/accounts/user/{admin_user.pk}/change/">{admin_user}</a>' in page.content.decode()
    )


def test_settlements_closed_by_the_schedule_say_so():
    from partners.settlements.closing import settlements_close_due

    partner = factories.PartnerFactory()
    settlements_close_due()

    closed = SettlementEvent.objects.filter(settlement__partner=partner, type="closed").get()
    assert closed.data["closed_by"] == {"user_id": None, "email": "", "by": "schedule"}
    assert (closed.user, closed.from_status, closed.to_status) == (None, "open", "closed")

"""The orders admin: pages render, money is read-only, the refund action goes through the
provider."""

from decimal import Decimal

import pytest
from django.test import Client

from shop.orders.models import Order, OrderStatus
from shop.payments.models import FakeCharge, Payment, Refund, RefundStatus
from tests.factories import order_with_stock
from tests.shop.payments.helpers import effects_recorded, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def test_order_pages_render_with_money_read_only(admin_client_):
    with effects_recorded():
        order, payment = paid_order()

    listing = admin_client_.get("/admin/orders/order/")
    page = admin_client_.get(f"/admin/orders/order/{order.pk}/change/")

    assert listing.status_code == 200
    assert order.number in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="total"' not in html
    assert 'name="amount_paid"' not in html
    assert 'name="status"' not in html
    assert payment.provider_reference in html
    assert admin_client_.get("/admin/orders/order/add/").status_code == 403


def test_payment_refund_and_webhook_admin_pages_render(admin_client_):
    with effects_recorded():
        paid_order()
    for url in (
        "/admin/payments/payment/",
        "/admin/payments/refund/",
        "/admin/payments/webhookevent/",
    ):
        assert admin_client_.get(url).status_code == 200
    payment = Payment.objects.get()
    assert admin_client_.get(f"/admin/payments/payment/{payment.pk}/change/").status_code == 200


def test_refund_action_refunds_what_is_left_through_the_provider(admin_client_, superuser):
    with effects_recorded() as spy:
        order, payment = paid_order(quantity=2)
        unpaid = order_with_stock()

        response = admin_client_.post(
            "/admin/orders/order/",
            {"action": "refund_remaining", "_selected_action": [order.pk, unpaid.pk]},
            follow=True,
        )

    assert response.status_code == 200
    refund = Refund.objects.get()
    assert (refund.order, refund.amount, refund.status, refund.created_by) == (
        order,
        Decimal("198.00"),
        RefundStatus.SUCCEEDED,
        superuser,
    )
    order.refresh_from_db()
    assert (order.status, order.amount_refunded) == (OrderStatus.REFUNDED, Decimal("198.00"))
    assert FakeCharge.objects.get(reference=payment.provider_reference).amount_refunded == Decimal(
        "198.00"
    )
    assert Order.objects.get(pk=unpaid.pk).status == OrderStatus.PENDING_PAYMENT
    assert spy.ledger_refunds == [refund.pk]
    messages = [str(m) for m in response.context["messages"]]
    assert f"{unpaid.number}: nothing left to refund." in messages

"""The orders admin: pages render, money is read-only, the refund action goes through the
provider."""

from decimal import Decimal

import pytest
from django.test import Client

from shop.demo.data.loaders import staff_group_load
from shop.orders.models import Order, OrderStatus
from shop.payments.models import FakeCharge, Payment, Refund, RefundStatus
from tests import factories
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
            {
                "action": "refund_remaining",
                "_selected_action": [order.pk, unpaid.pk],
                "confirmed": "yes",
            },
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
    assert f"{unpaid.number}：没有可退还的金额。" in messages


def test_refund_action_first_lists_the_orders_and_amounts_and_refunds_nothing(admin_client_):
    with effects_recorded():
        order, _payment = paid_order(quantity=2)
        other, _payment = paid_order(price="10.50")

    response = admin_client_.post(
        "/admin/orders/order/",
        {"action": "refund_remaining", "_selected_action": [other.pk, order.pk]},
    )

    assert response.status_code == 200
    assert [(o.number, amount) for o, amount in response.context["rows"]] == sorted(
        [(order.number, Decimal("198.00")), (other.number, Decimal("10.50"))]
    )
    assert response.context["total"] == Decimal("208.50")
    html = response.content.decode()
    assert 'name="confirmed" value="yes"' in html
    assert html.count('name="_selected_action"') == 2
    assert not Refund.objects.exists()
    assert sorted(Order.objects.values_list("status", flat=True)) == [OrderStatus.PAID] * 2


def _partner_staff_client(partner) -> Client:
    user = factories.PartnerStaffFactory(partner=partner).user
    user.groups.add(staff_group_load())
    client = Client()
    client.force_login(user)
    return client


def test_partner_staff_see_and_refund_only_their_partners_orders():
    with effects_recorded():
        ours, _payment = paid_order()
        theirs, _payment = paid_order()
        app_channel = factories.SalesChannelFactory(owner=ours.channel.owner)
        ours_in_app, _payment = paid_order(channel=app_channel)
    client = _partner_staff_client(ours.channel.owner)

    listing = client.get("/admin/orders/order/")
    assert listing.status_code == 200
    assert sorted(o.number for o in listing.context["cl"].result_list) == sorted(
        [ours.number, ours_in_app.number]
    )
    (channel_filter,) = [
        spec
        for spec in listing.context["cl"].filter_specs
        if getattr(spec, "field_path", "") == "channel"
    ]
    assert sorted(pk for pk, _label in channel_filter.lookup_choices) == sorted(
        [ours.channel_id, app_channel.pk]
    )
    assert str(theirs.channel) not in listing.content.decode()
    # Another partner's order is not there to open, nor to refund.
    page = client.get(f"/admin/orders/order/{theirs.pk}/change/", follow=True)
    assert page.redirect_chain[-1][0] == "/admin/"
    refused = client.post(
        "/admin/orders/order/",
        {"action": "refund_remaining", "_selected_action": [theirs.pk], "confirmed": "yes"},
    )
    assert refused.status_code == 302
    assert not Refund.objects.filter(order=theirs).exists()

    confirmed = client.post(
        "/admin/orders/order/",
        {"action": "refund_remaining", "_selected_action": [ours.pk], "confirmed": "yes"},
    )
    assert confirmed.status_code == 302
    assert Refund.objects.get().order == ours


def test_staff_of_no_partner_read_orders_but_have_no_refund_action():
    with effects_recorded():
        order, _payment = paid_order()
    viewer = factories.StaffFactory()
    viewer.user_permissions.add(*staff_group_load().permissions.all())
    client = Client()
    client.force_login(viewer)

    listing = client.get("/admin/orders/order/")
    assert listing.status_code == 200
    assert "refund_remaining" not in listing.content.decode()
    client.post(
        "/admin/orders/order/",
        {"action": "refund_remaining", "_selected_action": [order.pk], "confirmed": "yes"},
    )
    assert not Refund.objects.exists()


def test_a_page_staff_may_not_open_is_the_admin_error_page_not_json():
    viewer = factories.StaffFactory()
    client = Client()
    client.force_login(viewer)

    response = client.get("/admin/orders/order/")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "permission_denied" not in response.content.decode()

"""A payment the provider confirms for another amount or currency than asked is held for
staff review: the order is not paid, keeps its stock, and nothing is booked until staff
accept (paid only for the order's total) or return it (refunded in full).

Stripe is the local stand-in driven through the real ``stripe`` library; the fake
provider is driven through its own API; the ledger and the invariants are the real ones.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from catalog.models import Stock
from partners.models import LedgerEntry
from shop.core import metrics
from shop.ops.invariants import invariants_check
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import OrderEvent, OrderEventType, OrderStatus
from shop.payments.models import FakeCharge, Payment, PaymentStatus, Refund, RefundStatus
from shop.payments.services import payment_start
from tests.conftest import client_for
from tests.factories import (
    PartnerFactory,
    SalesChannelFactory,
    StaffFactory,
    SuperuserFactory,
    order_with_stock,
)
from tests.shop.payments.helpers import (
    ledger_sources,
    ledger_total,
    priced_variant,
    stripe_event,
    webhook_post,
)

pytestmark = pytest.mark.django_db


def _order(price="140.00", email="s@example.com"):
    owner = PartnerFactory(contact_email="money@museum.example")
    return order_with_stock(
        channel=SalesChannelFactory(owner=owner), lines=[(priced_variant(price), 1)], email=email
    )


def _intent_succeeded(client, payment, event_id="evt_paid"):
    intent = {"id": payment.provider_reference, "object": "payment_intent"}
    return webhook_post(client, stripe_event("payment_intent.succeeded", intent, event_id=event_id))


def _held_at_stripe(client, fake_stripe, capture, **paid):
    order = _order()
    payment = payment_start(order=order, provider="stripe")
    fake_stripe.succeed(payment.provider_reference, **paid)
    with capture(execute=True):
        assert _intent_succeeded(client, payment).status_code == 200
    return order, Payment.objects.get(pk=payment.pk)


def _review(user, payment, decision):
    return client_for(user).post(
        f"/api/v1/staff/payments/{payment.pk}/review/", {"decision": decision}, format="json"
    )


def _rules():
    return [(v.rule, v.subject) for v in invariants_check()]


def _assert_held_three_days(order, started):
    """The stock stays held while staff look: the order and its hold last three days;
    nothing is booked."""
    hold = Reservation.objects.get(order_line__order=order)
    assert hold.status == ReservationStatus.ACTIVE
    assert hold.expires_at == order.expires_at
    assert started + timedelta(hours=72) <= order.expires_at <= timezone.now() + timedelta(hours=72)
    assert Stock.objects.get(pk=hold.stock_id).quantity_reserved == 1
    assert LedgerEntry.objects.filter(order_id=order.pk).count() == 0


def _assert_review_event(order, payment):
    event = OrderEvent.objects.get(order=order, type=OrderEventType.PAYMENT_REVIEW)
    assert event.data == {
        "payment_id": payment.pk,
        "reason": "amount_differs",
        "confirmed_amount": "139.00",
        "confirmed_currency": "CNY",
        "asked_amount": "140.00",
        "asked_currency": "CNY",
        "held_until": order.expires_at.isoformat(),
    }


def _assert_listed_for_review_in_the_admin(payment):
    admin = Client()
    admin.force_login(StaffFactory(is_superuser=True))
    listed = admin.get("/admin/payments/payment/?status__exact=review")
    assert listed.status_code == 200
    assert payment.provider_reference in listed.content.decode()
    assert (
        payment.provider_reference
        not in admin.get("/admin/payments/payment/?status__exact=succeeded").content.decode()
    )


def test_a_stripe_payment_confirmed_for_less_is_held_and_books_nothing(
    api_client, fake_stripe, caplog, django_capture_on_commit_callbacks
):
    order = _order()
    payment = payment_start(order=order, provider="stripe")
    fake_stripe.succeed(payment.provider_reference, received_fen=13900)
    held_before = metrics._event_values("payments_held_for_review").get("stripe", 0)
    started = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        response = _intent_succeeded(api_client, payment)

    assert response.status_code == 200
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.failure_code) == (PaymentStatus.REVIEW, "amount_differs")
    assert (payment.confirmed_status, payment.confirmed_amount, payment.confirmed_currency) == (
        PaymentStatus.SUCCEEDED,
        Decimal("139.00"),
        "CNY",
    )
    assert (order.status, order.amount_paid, order.paid_at) == (
        OrderStatus.PENDING_PAYMENT,
        Decimal("0"),
        None,
    )
    _assert_held_three_days(order, started)
    _assert_review_event(order, payment)
    assert [r.levelname for r in caplog.records if "held for review" in r.getMessage()] == ["ERROR"]
    assert metrics._event_values("payments_held_for_review")["stripe"] == held_before + 1
    [alert] = mail.outbox
    assert alert.to == ["money@museum.example"]
    assert order.number in alert.subject
    assert "139.00 CNY" in alert.body and "140.00 CNY" in alert.body
    _assert_listed_for_review_in_the_admin(payment)
    # Hearing of it again changes nothing, and sends no second alert.
    with django_capture_on_commit_callbacks(execute=True):
        _intent_succeeded(api_client, payment, event_id="evt_again")
    assert OrderEvent.objects.filter(order=order, type=OrderEventType.PAYMENT_REVIEW).count() == 1
    assert len(mail.outbox) == 1
    assert _rules() == [("payment_in_review", f"order {order.number}")]


def test_staff_accept_pays_the_order_when_stripe_now_confirms_the_total(
    api_client, fake_stripe, django_capture_on_commit_callbacks
):
    order, payment = _held_at_stripe(
        api_client, fake_stripe, django_capture_on_commit_callbacks, received_fen=13900
    )
    # At Stripe the rest of the payment is captured meanwhile: it now holds the total.
    fake_stripe.succeed(payment.provider_reference, fee_fen=84)
    staff = SuperuserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = _review(staff, payment, "accept")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["order_status"]) == ("succeeded", "paid")
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.confirmed_amount, payment.fee) == (
        PaymentStatus.SUCCEEDED,
        Decimal("140.00"),
        Decimal("0.84"),
    )
    # Paid, and its fulfilment task has run.
    assert (order.status, order.amount_paid) == (OrderStatus.FULFILLING, Decimal("140.00"))
    assert Reservation.objects.get(order_line__order=order).status == ReservationStatus.CONFIRMED
    assert ledger_sources(order) == {f"payment:{payment.pk}", f"payment-fee:{payment.pk}"}
    assert ledger_total(order) == Decimal("139.16")  # the sale less Stripe's fee
    reviewed = OrderEvent.objects.get(order=order, type=OrderEventType.PAYMENT_REVIEWED)
    assert (reviewed.user, reviewed.data["decision"], reviewed.data["outcome"]) == (
        staff,
        "accept",
        "paid",
    )
    assert Refund.objects.count() == 0
    assert _review(staff, payment, "accept").json()["code"] == "payment_not_in_review"
    assert invariants_check() == []


def test_staff_accept_returns_the_money_when_the_fake_provider_still_confirms_less(
    api_client, django_capture_on_commit_callbacks
):
    order = _order()
    stock = Stock.objects.get(variant=order.lines.get().variant)
    started = api_client.post(
        f"/api/v1/orders/{order.number}/payments/", {"email": order.email}, format="json"
    ).json()
    confirmed = api_client.post(
        f"/api/v1/payments/{started['id']}/fake/confirm/",
        {"outcome": "succeed", "email": order.email, "amount": "139.00"},
        format="json",
    ).json()
    assert (confirmed["status"], confirmed["order_status"]) == ("review", "pending_payment")
    assert confirmed["failure_code"] == "amount_differs"
    payment = Payment.objects.get(pk=started["id"])

    with django_capture_on_commit_callbacks(execute=True):
        response = _review(SuperuserFactory(), payment, "accept")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["order_status"]) == (
        "cancelled",
        "cancelled",
    )
    payment.refresh_from_db()
    order.refresh_from_db()
    stock.refresh_from_db()
    assert (payment.status, payment.failure_code, payment.amount_refunded) == (
        PaymentStatus.CANCELLED,
        "returned",
        Decimal("139.00"),
    )
    refund = Refund.objects.get(payment=payment)
    assert (refund.amount, refund.status, refund.confirmed_status) == (
        Decimal("139.00"),
        RefundStatus.SUCCEEDED,
        RefundStatus.SUCCEEDED,
    )
    assert FakeCharge.objects.get(reference=payment.provider_reference).amount_refunded == Decimal(
        "139.00"
    )
    assert (order.status, order.amount_paid, order.amount_refunded) == (
        OrderStatus.CANCELLED,
        Decimal("0"),
        Decimal("0"),
    )
    assert stock.quantity_reserved == 0
    assert LedgerEntry.objects.filter(order_id=order.pk).count() == 0
    reviewed = OrderEvent.objects.get(order=order, type=OrderEventType.PAYMENT_REVIEWED)
    assert (reviewed.data["decision"], reviewed.data["outcome"], reviewed.data["refund_id"]) == (
        "accept",
        "returned",
        refund.pk,
    )
    assert invariants_check() == []


def _refund_settled_at_stripe(api_client, fake_stripe, refund, capture):
    """Stripe settles the refund and says so by webhook."""
    fake_stripe.refund_settle(refund.provider_reference, "succeeded")
    with capture(execute=True):
        delivered = webhook_post(
            api_client,
            stripe_event(
                "charge.refund.updated",
                {"id": refund.provider_reference, "object": "refund", "status": "succeeded"},
                event_id="evt_refund",
            ),
        )
    assert delivered.status_code == 200


def test_staff_return_in_the_admin_refunds_in_full_and_books_nothing(
    api_client, fake_stripe, superuser, django_capture_on_commit_callbacks
):
    order, payment = _held_at_stripe(
        api_client, fake_stripe, django_capture_on_commit_callbacks, currency="usd"
    )
    assert (payment.status, payment.failure_code) == (PaymentStatus.REVIEW, "currency_differs")
    fake_stripe.refund_status = "pending"  # as a wallet's refund is at first
    admin = Client()
    admin.force_login(superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/admin/payments/payment/",
            {"action": "review_return", "_selected_action": [payment.pk]},
            follow=True,
        )

    assert response.status_code == 200
    payment.refresh_from_db()
    order.refresh_from_db()
    refund = Refund.objects.get(payment=payment)
    [call] = fake_stripe.calls("POST", "/v1/refunds")
    assert (call.params["amount"], call.headers["idempotency-key"]) == (
        "14000",
        f"refund-{refund.pk}-create",
    )
    assert (payment.status, payment.failure_code) == (PaymentStatus.CANCELLED, "returned")
    assert (refund.amount, refund.currency, refund.status, refund.confirmed_status) == (
        Decimal("140.00"),
        "USD",
        RefundStatus.PENDING,
        RefundStatus.PENDING,
    )
    assert order.status == OrderStatus.CANCELLED
    assert LedgerEntry.objects.filter(order_id=order.pk).count() == 0

    _refund_settled_at_stripe(api_client, fake_stripe, refund, django_capture_on_commit_callbacks)

    refund.refresh_from_db()
    assert (refund.status, refund.confirmed_status) == (
        RefundStatus.SUCCEEDED,
        RefundStatus.SUCCEEDED,
    )
    assert list(
        OrderEvent.objects.filter(order=order)
        .exclude(type=OrderEventType.EMAIL_SENT)
        .values_list("type", flat=True)
    ) == [
        OrderEventType.PAYMENT_STARTED,
        OrderEventType.PAYMENT_REVIEW,
        OrderEventType.PAYMENT_REVIEWED,
        OrderEventType.CANCELLED,
        OrderEventType.REFUND_PENDING,
        OrderEventType.REFUNDED,
    ]
    assert LedgerEntry.objects.filter(order_id=order.pk).count() == 0
    assert invariants_check() == []


def test_no_new_payment_starts_while_one_is_held_for_review(
    api_client, fake_stripe, django_capture_on_commit_callbacks
):
    order, payment = _held_at_stripe(
        api_client, fake_stripe, django_capture_on_commit_callbacks, received_fen=14100
    )

    response = api_client.post(
        f"/api/v1/orders/{order.number}/payments/",
        {"email": order.email, "provider": "fake"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "payment_under_review")
    assert list(Payment.objects.filter(order=order).values_list("pk", "status")) == [
        (payment.pk, PaymentStatus.REVIEW)
    ]
    assert FakeCharge.objects.count() == 0
    assert _rules() == [("payment_in_review", f"order {order.number}")]

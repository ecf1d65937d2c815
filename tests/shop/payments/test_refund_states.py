"""Refunds are pending until the provider says succeeded: only then do the order's money
and status and the partner ledger move. A refund that fails gives its amount back, so it
can be refunded again. The shop reads refunds back from Stripe's events, from the sweep,
and from the fake provider's own API.

Stripe is the local stand-in driven through the real ``stripe`` library; webhooks carry
real signatures; the ledger and the invariants are the real ones.
"""

from decimal import Decimal

import pytest
from django.core import mail

from fulfillment.models import OrderEmail
from shop.ops.invariants import invariants_check
from shop.orders.models import OrderEvent, OrderEventType, OrderStatus
from shop.payments.models import FakeCharge, Payment, PaymentStatus, Refund, RefundStatus
from shop.payments.refund_state import refunds_sync_pending
from shop.payments.services import payment_start, payment_sync
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


def _stripe_paid_order(fake_stripe, capture, *, price="99.00", quantity=2):
    owner = PartnerFactory(contact_email="money@museum.example")
    order = order_with_stock(
        channel=SalesChannelFactory(owner=owner), lines=[(priced_variant(price), quantity)]
    )
    payment = payment_start(order=order, provider="stripe")
    fake_stripe.succeed(payment.provider_reference)
    with capture(execute=True):
        payment = payment_sync(payment_id=payment.pk)
    order.refresh_from_db()
    return order, payment


def _refund(order, amount, **body):
    return client_for(SuperuserFactory()).post(
        f"/api/v1/staff/orders/{order.number}/refunds/",
        {"amount": amount, "reason": "damaged", **body},
        format="json",
    )


def _refund_event(client, refund, event_type, event_id):
    obj = {"id": refund.provider_reference, "object": "refund", "status": "whatever"}
    return webhook_post(client, stripe_event(event_type, obj, event_id=event_id))


def _money(order, payment):
    order.refresh_from_db()
    payment.refresh_from_db()
    return (order.status, order.amount_refunded, payment.amount_refunded, ledger_total(order))


def test_a_refund_stripe_holds_pending_moves_nothing_until_it_succeeds(
    api_client, fake_stripe, django_capture_on_commit_callbacks
):
    order, payment = _stripe_paid_order(fake_stripe, django_capture_on_commit_callbacks)
    fake_stripe.refund_status = "pending"

    with django_capture_on_commit_callbacks(execute=True):
        response = _refund(order, "40.00")

    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.confirmed_status, refund.provider_reference) == (
        RefundStatus.PENDING,
        RefundStatus.PENDING,
        next(iter(fake_stripe.refunds)),
    )
    # Set aside on the payment, so no other refund goes above what was paid meanwhile,
    # but neither the order nor the ledger has moved.
    assert _money(order, payment) == (
        OrderStatus.FULFILLING,
        Decimal("0"),
        Decimal("40.00"),
        Decimal("198.00"),
    )
    assert OrderEvent.objects.filter(order=order, type=OrderEventType.REFUND_PENDING).count() == 1
    assert not OrderEmail.objects.filter(order=order, kind="refund_issued").exists()

    fake_stripe.refund_settle(refund.provider_reference, "succeeded")
    with django_capture_on_commit_callbacks(execute=True):
        delivered = _refund_event(api_client, refund, "refund.updated", "evt_refund_ok")

    assert delivered.status_code == 200
    refund.refresh_from_db()
    assert (refund.status, refund.confirmed_status) == (
        RefundStatus.SUCCEEDED,
        RefundStatus.SUCCEEDED,
    )
    assert _money(order, payment) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("40.00"),
        Decimal("40.00"),
        Decimal("158.00"),
    )
    assert ledger_sources(order) == {f"payment:{payment.pk}", f"refund:{refund.pk}"}
    assert OrderEmail.objects.filter(order=order, key=f"refund_issued:{refund.pk}").count() == 1
    # The same event again, or another about the same refund, changes nothing.
    _refund_event(api_client, refund, "charge.refund.updated", "evt_refund_ok_again")
    assert ledger_total(order) == Decimal("158.00")
    assert invariants_check() == []


def test_a_pending_refund_that_fails_gives_its_amount_back_and_alerts_staff(
    api_client, fake_stripe, django_capture_on_commit_callbacks
):
    order, payment = _stripe_paid_order(fake_stripe, django_capture_on_commit_callbacks)
    line = order.lines.get()
    fake_stripe.refund_status = "pending"
    with django_capture_on_commit_callbacks(execute=True):
        _refund(order, "99.00", lines=[{"line_id": line.pk, "quantity": 1}])
    refund = Refund.objects.get(order=order)
    mail.outbox.clear()

    fake_stripe.refund_settle(refund.provider_reference, "failed")
    with django_capture_on_commit_callbacks(execute=True):
        delivered = _refund_event(api_client, refund, "refund.failed", "evt_refund_failed")

    assert delivered.status_code == 200
    refund.refresh_from_db()
    line.refresh_from_db()
    assert (refund.status, refund.confirmed_status, refund.failure_code) == (
        RefundStatus.FAILED,
        RefundStatus.FAILED,
        "expired_or_canceled_card",
    )
    assert _money(order, payment) == (
        OrderStatus.FULFILLING,
        Decimal("0"),
        Decimal("0.00"),
        Decimal("198.00"),
    )
    assert line.quantity_refunded == 0
    assert ledger_sources(order) == {f"payment:{payment.pk}"}
    events = OrderEvent.objects.filter(order=order).exclude(type=OrderEventType.EMAIL_SENT)
    assert list(events.values_list("type", flat=True))[-3:] == [
        OrderEventType.REFUND_REQUESTED,
        OrderEventType.REFUND_PENDING,
        OrderEventType.REFUND_FAILED,
    ]
    [alert] = [m for m in mail.outbox if m.to == ["money@museum.example"]]
    assert order.number in alert.subject and "99.00 CNY" in alert.body
    assert invariants_check() == []

    # The amount can be refunded again; this time Stripe pays it out.
    fake_stripe.refund_status = "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        again = _refund(order, "99.00", lines=[{"line_id": line.pk, "quantity": 1}])

    assert (again.status_code, again.json()["status"]) == (201, "succeeded")
    assert _money(order, payment) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("99.00"),
        Decimal("99.00"),
        Decimal("99.00"),
    )
    assert invariants_check() == []


def test_the_sweep_reads_pending_refunds_back_and_sends_unanswered_ones_again(
    fake_stripe, settings, django_capture_on_commit_callbacks
):
    order, payment = _stripe_paid_order(fake_stripe, django_capture_on_commit_callbacks)
    fake_stripe.refund_status = "pending"
    with django_capture_on_commit_callbacks(execute=True):
        _refund(order, "30.00")
    waiting = Refund.objects.get(order=order)
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    fake_stripe.fail_next(500)
    with django_capture_on_commit_callbacks(execute=True):
        assert _refund(order, "20.00").status_code == 503
    unanswered = Refund.objects.exclude(pk=waiting.pk).get(order=order)
    assert (unanswered.status, unanswered.provider_reference) == (RefundStatus.PENDING, "")
    fake_stripe.refund_settle(waiting.provider_reference, "succeeded")
    fake_stripe.refund_status = "succeeded"

    with django_capture_on_commit_callbacks(execute=True):
        settled = refunds_sync_pending(unanswered_after_seconds=0, recheck_after_minutes=0)

    assert settled == 2
    waiting.refresh_from_db()
    unanswered.refresh_from_db()
    assert (waiting.status, unanswered.status) == (RefundStatus.SUCCEEDED, RefundStatus.SUCCEEDED)
    keys = [c.headers["idempotency-key"] for c in fake_stripe.calls("POST", "/v1/refunds")]
    assert keys == [
        f"refund-{waiting.pk}-create",
        f"refund-{unanswered.pk}-create",
        f"refund-{unanswered.pk}-create",
    ]
    assert [c.path for c in fake_stripe.calls("GET", "/v1/refunds/")] == [
        f"/v1/refunds/{waiting.provider_reference}"
    ]
    assert _money(order, payment) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("50.00"),
        Decimal("50.00"),
        Decimal("148.00"),
    )
    # Nothing left to read back.
    assert refunds_sync_pending(unanswered_after_seconds=0, recheck_after_minutes=0) == 0
    assert invariants_check() == []


def test_a_refund_that_fails_after_it_succeeded_is_reported_not_rebooked(
    api_client, fake_stripe, django_capture_on_commit_callbacks
):
    order, payment = _stripe_paid_order(fake_stripe, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        _refund(order, "50.00")
    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.SUCCEEDED

    fake_stripe.refund_settle(refund.provider_reference, "failed")
    with django_capture_on_commit_callbacks(execute=True):
        _refund_event(api_client, refund, "charge.refund.updated", "evt_late_failure")

    refund.refresh_from_db()
    assert (refund.status, refund.confirmed_status) == (
        RefundStatus.SUCCEEDED,
        RefundStatus.FAILED,
    )
    # The books still say refunded: staff settle it by hand, told by the event, the alert
    # and the invariant check.
    assert _money(order, payment) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("50.00"),
        Decimal("50.00"),
        Decimal("148.00"),
    )
    failed = OrderEvent.objects.get(order=order, type=OrderEventType.REFUND_FAILED)
    assert failed.data == {"refund_id": refund.pk, "amount": "50.00", "after_success": True}
    assert [(v.rule, v.subject) for v in invariants_check()] == [
        ("refund_unconfirmed", f"order {order.number}")
    ]


def test_a_pending_refund_made_in_the_stripe_dashboard_is_recorded_pending_then_succeeds(
    api_client, fake_stripe, django_capture_on_commit_callbacks
):
    order, payment = _stripe_paid_order(fake_stripe, django_capture_on_commit_callbacks)
    reference = fake_stripe.refund_in_dashboard(payment.provider_reference, 2500, status="pending")
    created = {"id": reference, "object": "refund", "status": "pending"}

    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(api_client, stripe_event("refund.created", created, event_id="evt_created"))

    refund = Refund.objects.get(order=order)
    assert (refund.amount, refund.status, refund.provider_reference, refund.reason) == (
        Decimal("25.00"),
        RefundStatus.PENDING,
        reference,
        "refunded at the payment provider",
    )
    assert _money(order, payment)[1:] == (Decimal("0"), Decimal("25.00"), Decimal("198.00"))

    fake_stripe.refund_settle(reference, "succeeded")
    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(api_client, stripe_event("refund.updated", created, event_id="evt_updated"))

    assert Refund.objects.get(order=order).status == RefundStatus.SUCCEEDED
    assert _money(order, payment) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("25.00"),
        Decimal("25.00"),
        Decimal("173.00"),
    )
    assert invariants_check() == []


def test_the_fake_provider_keeps_refunds_pending_until_settled_through_its_api(
    api_client, django_capture_on_commit_callbacks
):
    order = order_with_stock(lines=[(priced_variant("99.00"), 2)], email="s@example.com")
    started = api_client.post(
        f"/api/v1/orders/{order.number}/payments/", {"email": order.email}, format="json"
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            f"/api/v1/payments/{started['id']}/fake/confirm/",
            {"outcome": "succeed", "email": order.email, "refunds_wait": True},
            format="json",
        )
    payment = Payment.objects.get(pk=started["id"])
    assert payment.status == PaymentStatus.SUCCEEDED
    staff = client_for(StaffFactory())

    def settle(refund, outcome):
        with django_capture_on_commit_callbacks(execute=True):
            return staff.post(
                f"/api/v1/staff/payments/fake/refunds/{refund.provider_reference}/settle/",
                {"outcome": outcome},
                format="json",
            )

    with django_capture_on_commit_callbacks(execute=True):
        first = _refund(order, "60.00")
    assert (first.status_code, first.json()["status"]) == (201, "pending")
    refund = Refund.objects.get(pk=first.json()["id"])
    charge = FakeCharge.objects.get(reference=payment.provider_reference)
    assert charge.amount_refunded == Decimal("60.00")
    assert _money(order, payment)[1:] == (Decimal("0"), Decimal("60.00"), Decimal("198.00"))

    failed = settle(refund, "fail")

    assert (failed.status_code, failed.json()["status"]) == (200, "failed")
    charge.refresh_from_db()
    assert charge.amount_refunded == Decimal("0.00")
    assert _money(order, payment)[1:] == (Decimal("0"), Decimal("0.00"), Decimal("198.00"))
    assert settle(refund, "succeed").json()["code"] == "payment_not_pending"

    with django_capture_on_commit_callbacks(execute=True):
        second = _refund(order, "60.00")
    succeeded = settle(Refund.objects.get(pk=second.json()["id"]), "succeed")

    assert (succeeded.status_code, succeeded.json()["status"]) == (200, "succeeded")
    assert _money(order, payment) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("60.00"),
        Decimal("60.00"),
        Decimal("138.00"),
    )
    assert invariants_check() == []

"""Bugs the hardening tests found, each pinned by its own test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partners.models import LedgerEntry
from shop.orders.models import OrderStatus
from shop.payments.models import PaymentStatus, Refund, RefundStatus
from shop.payments.services import payment_start, payment_sync
from tests.factories import order_with_stock
from tests.hardening.conftest import assert_invariants
from tests.shop.payments.helpers import priced_variant


@pytest.mark.django_db
def test_a_refund_made_at_stripe_before_we_learn_of_the_payment_reaches_the_order(fake_stripe):
    """Found by the webhook storm: the first sync saw the payment succeed and a refund
    made in Stripe's dashboard at once; the refund was stored but never applied to the
    order or the ledger, because the order was read before it was marked paid."""
    order = order_with_stock(lines=[(priced_variant("99.00"), 2)])
    payment = payment_start(order=order, provider="stripe")
    fake_stripe.succeed(payment.provider_reference, fee_fen=250)
    fake_stripe.refund_in_dashboard(payment.provider_reference, 3000)

    payment = payment_sync(payment_id=payment.pk)

    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert (order.status, order.amount_paid, order.amount_refunded) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("198.00"),
        Decimal("30.00"),
    )
    refund = Refund.objects.get()
    assert (refund.status, refund.amount) == (RefundStatus.SUCCEEDED, Decimal("30.00"))
    assert LedgerEntry.objects.filter(source=f"refund:{refund.pk}").exists()
    assert_invariants()


@pytest.mark.django_db
def test_a_nul_character_in_a_looked_up_value_is_bad_input_not_a_server_error():
    """Found by the fuzzing: a channel owner code with a NUL character reached PostgreSQL
    (which refuses NUL in text) and answered 500. The JSON parser now refuses it first."""
    from shop.channels.models import SalesChannel
    from tests import factories
    from tests.conftest import client_for

    factories.PartnerFactory(code="museum")
    response = client_for(factories.SuperuserFactory()).post(
        "/api/v1/staff/channels/",
        {"code": "new", "name_zh": "新", "name_en": "New", "kind": "partner_app", "owner": "mu\0"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_character"
    assert not SalesChannel.objects.filter(code="new").exists()

"""Stripe webhook bodies of the wrong shape: refused with 400 in the error shape, signed
with the real webhook secret or not, before anything reads or stores them."""

from __future__ import annotations

import pytest

from shop.payments.errors import InvalidWebhookEvent
from shop.payments.models import Payment, PaymentStatus, WebhookEvent
from shop.payments.services import payment_start
from shop.payments.webhooks import stripe_event_parse
from tests.factories import order_with_stock
from tests.shop.core.test_error_shape import assert_error
from tests.shop.payments.helpers import (
    WRONG_SHAPE_EVENTS,
    signature_for,
    signed,
    stripe_event,
)

URL = "/api/v1/payments/stripe/webhook/"


def _deliver(client, payload: bytes, signature: str):
    return client.generic(
        "POST", URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(WRONG_SHAPE_EVENTS))
def test_a_signed_body_of_the_wrong_shape_is_400_and_stores_nothing(api_client, fake_stripe, name):
    payment = payment_start(order=order_with_stock(), provider="stripe")
    payload, code, fields = WRONG_SHAPE_EVENTS[name]

    response = _deliver(api_client, payload, signature_for(payload))

    body = assert_error(response, 400, code)
    assert set(body["fields"]) == fields
    assert WebhookEvent.objects.count() == 0
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert fake_stripe.calls("GET", "/v1/payment_intents/") == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(WRONG_SHAPE_EVENTS))
def test_an_unsigned_body_of_the_wrong_shape_is_400_too(api_client, fake_stripe, name):
    payload, code, _fields = WRONG_SHAPE_EVENTS[name]

    response = _deliver(api_client, payload, signature_for(payload, "whsec_someone_else"))

    # What no endpoint could parse is refused before the signature is looked at.
    expected = code if code not in ("invalid_event",) else "invalid_signature"
    assert_error(response, 400, expected)
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["t=1,v1=\u00e9\u00e9", "t=\u00e9", "t=" + "9" * 5000 + ",v1=a"])
def test_a_signature_header_that_is_not_ascii_or_not_a_number_is_400(
    api_client, fake_stripe, header
):
    payload, _ = signed(stripe_event("payment_intent.succeeded", {"id": "pi_1"}))

    assert_error(_deliver(api_client, payload, header), 400, "invalid_signature")
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_signed_body_sent_as_another_content_type_is_415(api_client, fake_stripe):
    payload, header = signed(stripe_event("payment_intent.succeeded", {"id": "pi_1"}))

    response = api_client.generic(
        "POST", URL, payload, content_type="text/plain", HTTP_STRIPE_SIGNATURE=header
    )

    assert_error(response, 415, "unsupported_media_type")
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_an_event_whose_object_has_no_id_is_taken(api_client, fake_stripe):
    # A balance has no id; the shop does not act on it, and must not make Stripe retry it.
    balance = {"object": "balance", "available": [{"amount": 100, "currency": "cny"}]}
    payload, header = signed(stripe_event("balance.available", balance, event_id="evt_balance"))

    response = _deliver(api_client, payload, header)

    assert response.status_code == 200
    assert WebhookEvent.objects.get().payload["data"]["object"] == balance
    assert fake_stripe.requests == []


@pytest.mark.django_db
def test_an_event_may_hold_finite_fractions_which_are_stored_as_sent(api_client, fake_stripe):
    obj = {"id": "pi_not_ours", "object": "payment_intent", "application_fee_percent": 2.5}
    payload, header = signed(stripe_event("payment_intent.created", obj))

    assert _deliver(api_client, payload, header).status_code == 200
    assert WebhookEvent.objects.get().payload["data"]["object"]["application_fee_percent"] == 2.5


def test_the_shape_is_checked_even_where_no_middleware_parsed_the_body_first():
    with pytest.raises(InvalidWebhookEvent) as refused:
        stripe_event_parse(b"[1, 2]")
    assert set(refused.value.fields) == {"non_field_errors"}


def test_a_charge_names_its_payment_intent_as_an_id_or_an_expanded_object():
    for intent in ("pi_7", {"id": "pi_7", "object": "payment_intent"}):
        charge = {"id": "ch_1", "object": "charge", "payment_intent": intent}
        payload, _ = signed(stripe_event("charge.refunded", charge))

        assert stripe_event_parse(payload).payment_intent_id == "pi_7"

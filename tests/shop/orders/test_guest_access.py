"""Guests reach an order with its number and e-mail: a limited number of guesses per order
number and per client, and never a registered shopper's order."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from fulfillment.models import ReturnRequest
from shop.orders.models import Order, OrderStatus
from shop.orders.numbers import order_number_new
from shop.payments.models import Payment
from tests import factories
from tests.factories import order_with_stock

pytestmark = pytest.mark.django_db

GUEST_EMAIL = "guest@example.com"


def lookup(client: APIClient, number: str, email: str, address: str):
    return client.post(
        "/api/v1/orders/lookup/",
        {"number": number, "email": email},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def tracking(client: APIClient, number: str, email: str, address: str):
    return client.get(
        f"/api/v1/orders/{number}/tracking/",
        {"email": email},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def returns_list(client: APIClient, number: str, email: str, address: str):
    return client.get(
        f"/api/v1/orders/{number}/returns/",
        {"email": email},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def returns_create(client: APIClient, number: str, email: str, address: str):
    body = {"email": email, "lines": [{"line_id": 1, "quantity": 1}]}
    return client.post(
        f"/api/v1/orders/{number}/returns/", body, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en"
    )


def cancel(client: APIClient, number: str, email: str, address: str):
    return client.post(
        f"/api/v1/orders/{number}/cancel/",
        {"email": email},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def pay(client: APIClient, number: str, email: str, address: str):
    body = {"email": email, "provider": "fake"}
    return client.post(
        f"/api/v1/orders/{number}/payments/", body, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en"
    )


ENDPOINTS: dict[str, Callable] = {
    "lookup": lookup,
    "tracking": tracking,
    "returns_list": returns_list,
    "returns_create": returns_create,
    "cancel": cancel,
    "pay": pay,
}


@pytest.fixture
def guesses(settings):
    settings.GUEST_ORDER_FAILURES_PER_ORDER = 3
    settings.GUEST_ORDER_COOL_OFF_MINUTES = 60


@pytest.fixture
def rates(settings):
    def set_rate(rate: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                "order_access": rate,
            },
        }

    return set_rate


def addresses(count: int) -> list[str]:
    return [f"203.0.113.{n}" for n in range(1, count + 1)]


def answers(endpoint: str, number: str, emails: list[str]) -> list[tuple[int, dict]]:
    """Each e-mail from a new client, as a botnet would try them."""
    call = ENDPOINTS[endpoint]
    return [
        (response.status_code, response.json())
        for response in (
            call(APIClient(), number, email, address)
            for email, address in zip(emails, addresses(len(emails)), strict=True)
        )
    ]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_wrong_emails_are_no_such_order_until_the_number_must_wait(guesses, endpoint):
    order = order_with_stock(email=GUEST_EMAIL)
    wrong = [f"guess{n}@example.com" for n in range(3)]

    found = answers(endpoint, order.number, [*wrong, GUEST_EMAIL])

    not_found = {"code": "order_not_found", "message": "No such order.", "fields": {}}
    assert found[:3] == [(404, not_found)] * 3
    status, body = found[3]
    assert status == 429
    assert set(body) == {"code", "message", "fields", "retry_after"}
    assert body["code"] == "order_locked"
    assert body["fields"] == {}
    assert 3590 <= body["retry_after"] <= 3600
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert not Payment.objects.filter(order=order).exists()
    assert not ReturnRequest.objects.filter(order=order).exists()


def test_the_retry_after_header_tells_how_long_to_wait(guesses):
    order = order_with_stock(email=GUEST_EMAIL)
    answers("lookup", order.number, [f"guess{n}@example.com" for n in range(3)])

    refused = lookup(APIClient(), order.number, GUEST_EMAIL, "198.51.100.1")

    assert refused.status_code == 429
    assert refused["Retry-After"] == str(refused.json()["retry_after"])


def test_a_number_that_does_not_exist_answers_exactly_like_one_that_does(guesses):
    order = order_with_stock(email=GUEST_EMAIL)
    made_up = order_number_new(order_id=order.pk + 1000, day=order.created_at.date())
    emails = [f"guess{n}@example.com" for n in range(4)]

    existing = answers("lookup", order.number, emails)
    missing = answers("lookup", made_up, emails)

    assert [status for status, _ in existing] == [404, 404, 404, 429]
    assert [body for _, body in existing[:3]] == [body for _, body in missing[:3]]
    assert [status for status, _ in missing] == [404, 404, 404, 429]
    assert existing[3][1]["code"] == missing[3][1]["code"] == "order_locked"


def test_guesses_on_every_endpoint_count_for_the_one_number(guesses):
    order = order_with_stock(email=GUEST_EMAIL)
    client = APIClient()
    lookup(client, order.number, "a@example.com", "203.0.113.1")
    tracking(client, order.number, "b@example.com", "203.0.113.2")
    cancel(client, order.number, "c@example.com", "203.0.113.3")

    assert lookup(client, order.number, GUEST_EMAIL, "203.0.113.4").status_code == 429
    # Another order's guests are not affected.
    other = order_with_stock(email=GUEST_EMAIL)
    assert lookup(client, other.number, GUEST_EMAIL, "203.0.113.4").status_code == 200


def test_the_signed_in_owner_still_opens_a_number_guests_must_wait_for(guesses):
    shopper = factories.UserFactory()
    order = order_with_stock(email=shopper.email, user=shopper)
    answers("tracking", order.number, [f"guess{n}@example.com" for n in range(3)])
    owner = APIClient()
    owner.force_authenticate(shopper)

    assert tracking(owner, order.number, "", "203.0.113.9").status_code == 200
    assert lookup(owner, order.number, shopper.email, "203.0.113.9").status_code == 200
    assert owner.get(f"/api/v1/orders/{order.number}/").status_code == 200


def test_asking_without_an_email_is_not_a_guess(guesses):
    order = order_with_stock(email=GUEST_EMAIL)

    without = [tracking(APIClient(), order.number, "", a).status_code for a in addresses(5)]

    assert without == [404] * 5
    assert lookup(APIClient(), order.number, GUEST_EMAIL, "198.51.100.1").status_code == 200


@pytest.mark.parametrize("endpoint", ["lookup", "tracking", "cancel"])
def test_one_client_guessing_many_numbers_is_limited_by_rate(rates, endpoint):
    rates("3/min")
    call = ENDPOINTS[endpoint]
    numbers = [f"2025010100000{n}-ABCD" for n in range(1, 5)]

    tried = [call(APIClient(), n, GUEST_EMAIL, "203.0.113.1") for n in numbers]
    elsewhere = call(APIClient(), numbers[0], GUEST_EMAIL, "203.0.113.2")

    assert [r.status_code for r in tried] == [404, 404, 404, 429]
    assert tried[3].json()["code"] == "throttled"
    assert int(tried[3]["Retry-After"]) > 0
    assert elsewhere.status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_registered_shoppers_order_never_opens_by_email(endpoint):
    shopper = factories.UserFactory(email="reader@example.com")
    order = order_with_stock(email=shopper.email, user=shopper)

    refused = ENDPOINTS[endpoint](APIClient(), order.number, "reader@example.com", "203.0.113.1")

    assert refused.status_code == 404
    assert refused.json()["code"] == "order_not_found"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert not Payment.objects.filter(order=order).exists()
    assert not ReturnRequest.objects.filter(order=order).exists()


def test_a_guest_order_opens_by_email_for_the_guest():
    order = order_with_stock(email=GUEST_EMAIL)

    found = lookup(APIClient(), order.number, "Guest@Example.com", "203.0.113.1")

    assert found.status_code == 200
    assert found.json()["number"] == order.number
    assert Order.objects.get(pk=order.pk).user_id is None

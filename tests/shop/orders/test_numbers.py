"""Order numbers: the day, the counter and a random check part; never shared."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from shop.orders.models import Order
from shop.orders.numbers import CHECK_ALPHABET, NUMBER_MAX_LENGTH, order_number_new
from tests.shop.conftest import cart_ready, cart_url

FORMAT = re.compile(r"^(\d{8})(\d{6,})-([23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4})$")


def test_a_number_is_the_day_the_counter_and_a_check_part():
    number = order_number_new(order_id=123, day=dt.date(2025, 3, 14))

    match = FORMAT.match(number)
    assert match is not None, number
    assert match.group(1) == "20250314"
    assert match.group(2) == "000123"


def test_the_check_alphabet_has_no_look_alikes():
    assert set(CHECK_ALPHABET).isdisjoint(set("01ILO"))
    assert len(set(CHECK_ALPHABET)) == len(CHECK_ALPHABET) == 31


def test_the_check_part_is_drawn_afresh_each_time():
    checks = {order_number_new(order_id=7, day=dt.date(2025, 3, 14))[-4:] for _ in range(200)}

    # 31**4 candidates: 200 draws almost never repeat; a fixed or counter-derived part would.
    assert len(checks) >= 195


def test_a_large_counter_still_fits_the_column():
    number = order_number_new(order_id=2**63 - 1, day=dt.date(2099, 12, 31))

    assert len(number) <= NUMBER_MAX_LENGTH
    assert Order._meta.get_field("number").max_length == NUMBER_MAX_LENGTH


@pytest.mark.django_db
def test_placed_orders_get_distinct_numbers_of_their_day_and_id(small_shop):
    client = APIClient()
    numbers = []
    for n in range(4):
        token = cart_ready(client, small_shop)
        response = client.post(cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY=f"k{n}")
        assert response.status_code == 201, response.json()
        numbers.append(response.json()["number"])

    orders = {order.number: order for order in Order.objects.all()}
    assert sorted(orders) == sorted(numbers)
    assert len(set(numbers)) == 4
    today = f"{timezone.localdate():%Y%m%d}"
    for number in numbers:
        match = FORMAT.match(number)
        assert match is not None, number
        assert match.group(1) == today
        assert int(match.group(2)) == orders[number].pk


@pytest.mark.django_db
def test_numbers_given_before_the_check_part_are_still_found(small_shop):
    from tests.factories import order_with_stock

    order = order_with_stock(email="guest@example.com")
    Order.objects.filter(pk=order.pk).update(number="20240601000042")

    found = APIClient().post(
        "/api/v1/orders/lookup/",
        {"number": "20240601000042", "email": "guest@example.com"},
        format="json",
    )

    assert found.status_code == 200
    assert found.json()["number"] == "20240601000042"

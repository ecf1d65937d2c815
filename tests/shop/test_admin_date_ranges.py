"""The admin's long lists (orders, payments, refunds, shipments, returns, stock
movements, ledger entries, e-mails, provider events) can be narrowed to a range of days."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from catalog.models import StockMovement
from shop.orders.models import Order
from tests.factories import order_with_stock

pytestmark = pytest.mark.django_db

RANGES = [
    ("orders", "order", "created_at"),
    ("orders", "order", "paid_at"),
    ("payments", "payment", "created_at"),
    ("payments", "refund", "created_at"),
    ("payments", "webhookevent", "received_at"),
    ("fulfillment", "shipment", "created_at"),
    ("fulfillment", "shipment", "shipped_at"),
    ("fulfillment", "returnrequest", "created_at"),
    ("fulfillment", "orderemail", "sent_at"),
    ("fulfillment", "lowstockalert", "day"),
    ("catalog", "stockmovement", "created_at"),
    ("partners", "ledgerentry", "occurred_at"),
]


@pytest.fixture
def admin_client_(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.mark.parametrize(("app", "model", "field"), RANGES)
def test_each_long_list_offers_a_range_of_days(admin_client_, app, model, field):
    page = admin_client_.get(f"/admin/{app}/{model}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="{field}__range__gte"' in html
    assert f'name="{field}__range__lte"' in html


def test_a_range_of_days_keeps_the_orders_placed_in_it(admin_client_):
    old, new = order_with_stock(), order_with_stock()
    last_year = timezone.make_aware(datetime.datetime(2025, 3, 15, 23, 30))
    Order.objects.filter(pk=old.pk).update(created_at=last_year)

    march = admin_client_.get(
        "/admin/orders/order/",
        {"created_at__range__gte": "2025-03-01", "created_at__range__lte": "2025-03-15"},
    )
    bad = admin_client_.get("/admin/orders/order/", {"created_at__range__gte": "not a day"})

    assert [order.pk for order in march.context["cl"].result_list] == [old.pk]
    assert bad.status_code == 200
    assert {order.pk for order in bad.context["cl"].result_list} == {old.pk, new.pk}


def test_a_range_of_days_narrows_the_stock_movements(admin_client_):
    order_with_stock()
    movement = StockMovement.objects.order_by("pk").first()
    StockMovement.objects.filter(pk=movement.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2025, 1, 2, 9, 0))
    )

    january = admin_client_.get(
        "/admin/catalog/stockmovement/",
        {"created_at__range__gte": "2025-01-01", "created_at__range__lte": "2025-01-31"},
    )

    assert [row.pk for row in january.context["cl"].result_list] == [movement.pk]

"""Ordinary checkout load with the worker running: shoppers buy and pay over HTTP while a
real Celery worker splits, books and ships their orders and writes the logistics fees.
PostgreSQL must see no deadlock, and every shopper must get an answer (no 503 after
used-up retries).

What this found before its fix: payment confirmation (ledger, report rows) and the
worker's shipment transaction (which also locked the warehouse row) deadlocked dozens
of times a minute, and the report rows made concurrent payments queue behind each other.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
from django.db import connection, connections

from catalog.models import Stock
from fulfillment.models import Shipment, ShipmentStatus
from partners.models import PartyRole
from shop.ops.invariants import invariants_check
from shop.orders.models import Order, OrderStatus
from tests import factories
from tests.factories import ShippingMethodFactory, stock_with_units
from tests.factories.ledger import agreement_with_terms
from tests.fulfillment.workers import (
    broker_flush,
    broker_url,
    tasks_sent_to,
    worker_running,
)
from tests.shop.conftest import ADDRESS_CN
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

SHOPPERS = 8
SECONDS = 12


def _deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


@pytest.fixture
def busy_shop(db, settings):
    museum = factories.PartnerFactory(code="museum")
    media = factories.PartnerFactory(code="media")
    channel = factories.SalesChannelFactory(code="museum-web", owner=museum, is_public=True)
    collection = factories.CollectionFactory()
    agreement_with_terms(
        collection=collection,
        parties=[(museum, PartyRole.LICENSOR, 6000), (media, PartyRole.PRODUCER, 4000)],
        logistics_fee=Decimal("8.00"),
        logistics_partner=media,
    )
    warehouses = [
        factories.WarehouseFactory(code="museum-wh", partner=museum),
        factories.WarehouseFactory(code="media-wh", partner=media),
    ]
    skus = []
    for index in range(4):
        variant = factories.ProductVariantFactory(
            price=Decimal("88.00"), product__collection=collection
        )
        factories.ProductChannelListingFactory(product=variant.product, channel=channel)
        # Half the products in each warehouse: an order of two products makes two parcels.
        stock_with_units(variant=variant, warehouse=warehouses[index % 2], quantity=100_000)
        skus.append(variant.sku)
    ShippingMethodFactory(code="standard", price=Decimal("12.00"), free_above=None)
    return channel, skus


def _shopper(base: str, channel: str, skus: list[str], number: int, stop: float, seen: Counter):
    session = requests.Session()
    done = 0
    while time.monotonic() < stop:
        lines = [{"sku": skus[(number + done) % 4], "quantity": 1}]
        if done % 2:
            lines.append({"sku": skus[(number + done + 1) % 4], "quantity": 2})
        email = f"shopper{number}@example.com"
        placed = session.post(
            f"{base}/api/v1/orders/?channel={channel}",
            json={
                "lines": lines,
                "email": email,
                "shipping_address": ADDRESS_CN,
                "shipping_method": "standard",
                "payment_provider": "fake",
            },
            headers={"Idempotency-Key": f"stress-{number}-{done}"},
            timeout=60,
        )
        seen[f"place {placed.status_code}"] += 1
        if placed.status_code == 201:
            paid = session.post(
                f"{base}/api/v1/payments/{placed.json()['payment']['id']}/fake/confirm/",
                json={"outcome": "succeed", "email": email},
                timeout=60,
            )
            seen[f"pay {paid.status_code}"] += 1
        done += 1


def test_buying_paying_and_shipping_at_once_never_deadlock(busy_shop, live_server, settings):
    channel, skus = busy_shop
    settings.SHOP_SIMULATED_PICKUP_SECONDS = 1
    settings.SHOP_SIMULATED_DELIVERY_SECONDS = 2
    url = broker_url()
    broker_flush(url)
    before = _deadlocks()
    seen: Counter = Counter()
    with (
        tasks_sent_to(url),
        worker_running(url, env={"SHOP_SIMULATED_PICKUP_SECONDS": "1"}) as worker,
    ):
        stop = time.monotonic() + SECONDS
        with ThreadPoolExecutor(SHOPPERS) as pool:
            for number in range(SHOPPERS):
                pool.submit(_shopper, live_server.url, channel.code, skus, number, stop, seen)
        paid = Order.objects.exclude(status=OrderStatus.PENDING_PAYMENT).count()
        # The worker catches up: every paid order gets its parcels, and they ship.
        caught_up = wait_until(
            lambda: (
                not Shipment.objects.filter(
                    status__in=[ShipmentStatus.PENDING, ShipmentStatus.PACKED]
                ).exists()
                and not Order.objects.filter(status=OrderStatus.PAID).exists()
            ),
            seconds=120,
        )
        log = worker.output()
        left = (
            Order.objects.filter(status=OrderStatus.PAID).count(),
            Shipment.objects.filter(
                status__in=[ShipmentStatus.PENDING, ShipmentStatus.PACKED]
            ).count(),
        )
    broker_flush(url)
    for other in connections.all():
        other.close()
    # PostgreSQL counts a deadlock in the session that hit it; a session's counters reach
    # the statistics at the latest when it ends, so read them once every other session of
    # the test database (the worker's, the live server's) has ended.
    assert wait_until(lambda: _other_sessions() == 0, seconds=30), "sessions still open"

    assert seen["place 201"] >= SHOPPERS, seen
    assert set(seen) <= {"place 201", "pay 200"}, seen
    assert paid == seen["pay 200"]
    assert caught_up, (seen, left, log[-2000:])
    assert _deadlocks() - before == 0
    assert "deadlock detected" not in log
    assert invariants_check() == []
    assert Stock.objects.filter(quantity_reserved__gt=0).exists() or paid == 0

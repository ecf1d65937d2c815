"""Real Celery workers on the real Redis and PostgreSQL: the chain from payment to delivery,
a task sent twice, a worker killed in the middle of a task, and Redis down at payment time.

Each test commits its data (``transaction=True``) so the worker processes see it.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from fulfillment.models import OrderEmail, Shipment, ShipmentEvent, ShipmentStatus
from fulfillment.tasks import order_fulfill, orders_fulfill_sweep, shipment_book
from shop.core.tasks import enqueue
from shop.orders.models import Order, OrderStatus
from tests.factories import order_with_stock
from tests.factories.fulfillment import pay
from tests.fulfillment.carriers.fake_express import APP_KEY, APP_SECRET, FakeCarrierServer
from tests.fulfillment.workers import (
    broker_flush,
    broker_url,
    tasks_sent_to,
    worker_running,
)
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def broker():
    url = broker_url()
    broker_flush(url)
    with tasks_sent_to(url):
        yield url
    broker_flush(url)


def _status(order: Order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


def test_a_paid_order_reaches_shipped_then_delivered_by_itself(two_warehouses, broker):
    order = order_with_stock(
        channel=two_warehouses.channel,
        lines=[(two_warehouses.museum_stock.variant, 2), (two_warehouses.media_stock.variant, 1)],
    )
    started = time.monotonic()
    with worker_running(broker) as worker:
        pay(order)
        assert _status(order) == OrderStatus.PAID

        reached = wait_until(lambda: _status(order) == OrderStatus.DELIVERED, seconds=40)

        assert reached, worker.output()[-3000:]
    assert time.monotonic() - started < 60
    statuses = list(order.events.exclude(to_status="").values_list("to_status", flat=True))
    assert statuses == ["paid", "fulfilling", "shipped", "delivered"]
    assert [s.status for s in Shipment.objects.filter(order=order)] == [
        ShipmentStatus.DELIVERED
    ] * 2
    assert set(OrderEmail.objects.filter(order=order).values_list("kind", flat=True)) == {
        "payment_received",
        "shipped",
        "delivered",
    }


def test_a_task_sent_twice_fulfils_once(two_warehouses, broker):
    order = order_with_stock(
        channel=two_warehouses.channel,
        lines=[(two_warehouses.museum_stock.variant, 1), (two_warehouses.media_stock.variant, 1)],
        status=OrderStatus.PAID,
    )
    assert enqueue(order_fulfill, order.pk)
    assert enqueue(order_fulfill, order.pk)
    with worker_running(broker) as worker:
        booked = wait_until(
            lambda: ShipmentEvent.objects.filter(shipment__order=order, type="booked").count() == 2,
            seconds=30,
        )
        assert booked, worker.output()[-3000:]
        # Both messages and everything they led to have run: a wrongly repeated booking
        # would be a row by now.
        assert wait_until(worker.idle, seconds=30), worker.output()[-3000:]

    assert Shipment.objects.filter(order=order).count() == 2
    assert ShipmentEvent.objects.filter(shipment__order=order, type="created").count() == 2
    assert ShipmentEvent.objects.filter(shipment__order=order, type="booked").count() == 2
    assert order.events.filter(to_status=OrderStatus.FULFILLING).count() == 1


def _booking_pending(two_warehouses) -> Shipment:
    order = order_with_stock(
        channel=two_warehouses.channel,
        lines=[(two_warehouses.museum_stock.variant, 1)],
        status=OrderStatus.PAID,
    )
    Shipment.objects.create(
        order=order,
        warehouse=two_warehouses.museum_warehouse,
        partner=two_warehouses.museum,
        carrier="express",
    )
    from fulfillment.services import order_fulfill as fulfil_now

    fulfil_now(order_id=order.pk)
    return Shipment.objects.get(order=order)


def _express(carrier, **more: str) -> dict[str, str]:
    return {
        "SHOP_CARRIER": "express",
        "SHOP_EXPRESS_BASE_URL": carrier.url,
        "SHOP_EXPRESS_APP_KEY": APP_KEY,
        "SHOP_EXPRESS_APP_SECRET": APP_SECRET,
        "SHOP_EXPRESS_TIMEOUT_SECONDS": "60",
        **more,
    }


def test_a_task_lost_with_its_worker_is_redone_by_another_within_half_a_minute(
    two_warehouses, broker
):
    """The lease is the production default (20 s): the other worker, already running,
    takes the booking up once the dead worker's lease has aged, within 30 s."""
    shipment = _booking_pending(two_warehouses)
    with FakeCarrierServer() as carrier:
        carrier.modes = ["slow"]  # the first booking hangs until its worker is killed
        carrier.slow_seconds = 60
        env = _express(carrier)
        with worker_running(broker, env=env) as first:
            assert enqueue(shipment_book, shipment.pk)
            taken = wait_until(lambda: len(carrier.requests) == 1, seconds=20)
            assert taken, first.output()[-3000:]
            with worker_running(broker, env=env) as second:
                first.kill()
                killed_at = time.monotonic()
                booked = wait_until(
                    lambda: Shipment.objects.get(pk=shipment.pk).waybill_number, seconds=35
                )
                redone_after = time.monotonic() - killed_at
                assert booked, second.output()[-3000:]

    assert redone_after < 30
    stored = Shipment.objects.get(pk=shipment.pk)
    assert (stored.status, stored.waybill_number) == (
        ShipmentStatus.BOOKED,
        f"ZT{shipment.pk:0>10}",
    )
    assert len(carrier.requests) == 2
    assert stored.booking_attempts == 2
    assert ShipmentEvent.objects.filter(shipment=stored, type="booked").count() == 1


def test_a_task_longer_than_its_lease_stays_with_its_living_worker(two_warehouses, broker):
    """Renewed leases: a booking that takes three leases is not handed to the second
    worker, which is idle all the while; the carrier is asked once."""
    shipment = _booking_pending(two_warehouses)
    with FakeCarrierServer() as carrier:
        carrier.modes = ["slow"]
        carrier.slow_seconds = 12
        env = _express(carrier, SHOP_TASK_LEASE_SECONDS="4")
        with (
            worker_running(broker, env=env) as first,
            worker_running(broker, env=env) as second,
        ):
            assert enqueue(shipment_book, shipment.pk)
            booked = wait_until(
                lambda: Shipment.objects.get(pk=shipment.pk).waybill_number, seconds=40
            )
            assert booked, first.output()[-2000:] + second.output()[-2000:]

    assert len(carrier.requests) == 1
    assert Shipment.objects.get(pk=shipment.pk).booking_attempts == 1


def test_redis_down_at_payment_time_loses_nothing(
    two_warehouses, django_capture_on_commit_callbacks
):
    order = order_with_stock(
        channel=two_warehouses.channel, lines=[(two_warehouses.museum_stock.variant, 2)]
    )

    with tasks_sent_to("redis://127.0.0.1:1/0"):
        started = time.monotonic()
        assert enqueue(order_fulfill, order.pk) is False
        pay(order)
        elapsed = time.monotonic() - started

    assert elapsed < 1.5
    assert _status(order) == OrderStatus.PAID
    assert not Shipment.objects.filter(order=order).exists()

    # Redis is back (tasks run in-process here); a minute later the sweep catches up.
    assert orders_fulfill_sweep.apply(throw=True).result["orders"] == 0
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(minutes=2))

    assert orders_fulfill_sweep.apply(throw=True).result == {
        "orders": 1,
        "shipments": 0,
        "cancelled": 0,
    }

    shipment = Shipment.objects.get(order=order)
    assert shipment.status == ShipmentStatus.BOOKED
    assert _status(order) == OrderStatus.FULFILLING
    assert orders_fulfill_sweep.apply(throw=True).result == {
        "orders": 0,
        "shipments": 0,
        "cancelled": 0,
    }

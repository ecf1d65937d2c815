"""The Celery app: one beat schedule, three queues, and every task's safety options."""

import pytest

from fulfillment.carriers import CarrierPermanentError, CarrierTemporaryError
from shop.celery import QUEUES, app

FULFILLMENT_TASKS = [
    "fulfillment.order_fulfill",
    "fulfillment.order_paid",
    "fulfillment.shipment_book",
    "fulfillment.shipment_track",
    "fulfillment.shipments_track_open",
    "fulfillment.orders_fulfill_sweep",
    "fulfillment.orders_complete_delivered",
    "fulfillment.order_email_send",
    "fulfillment.stock_low_alerts_send",
]


def test_the_beat_schedule_names_only_registered_tasks():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    tasks = {entry["task"] for entry in schedule.values()}

    assert tasks >= {
        "orders.orders_expire_unpaid",
        "orders.reservations_release_expired",
        "fulfillment.orders_fulfill_sweep",
        "fulfillment.shipments_track_open",
        "fulfillment.orders_complete_delivered",
        "fulfillment.stock_low_alerts_send",
    }
    assert tasks <= set(app.tasks)
    for name in (
        "expire-unpaid-orders",
        "release-expired-reservations",
        "sweep-unfulfilled-orders",
    ):
        assert schedule[name]["schedule"] == 60.0


def test_queues_and_routes():
    assert QUEUES == ("default", "fulfillment", "notifications", "reports")
    assert [queue.name for queue in app.conf.task_queues] == list(QUEUES)
    assert app.conf.task_default_queue == "default"
    router = app.amqp.router
    assert router.route({}, "fulfillment.order_fulfill")["queue"].name == "fulfillment"
    assert router.route({}, "fulfillment.order_paid")["queue"].name == "fulfillment"
    assert router.route({}, "fulfillment.order_email_send")["queue"].name == "notifications"
    assert router.route({}, "orders.orders_expire_unpaid")["queue"].name == "default"
    assert router.route({}, "payments.refunds_sync_pending")["queue"].name == "default"
    assert router.route({}, "payments.payment_alert_send")["queue"].name == "notifications"
    assert router.route({}, "partners.settlements_close_due")["queue"].name == "reports"


def test_payments_and_settlements_are_scheduled():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert schedule["sync-pending-refunds"]["task"] == "payments.refunds_sync_pending"
    assert schedule["sync-stale-payments"]["task"] == "payments.payments_sync_stale"
    assert schedule["close-settlements"]["task"] == "partners.settlements_close_due"
    for name in ("sync-pending-refunds", "sync-stale-payments", "close-settlements"):
        assert schedule[name]["task"] in app.tasks


@pytest.mark.parametrize("name", FULFILLMENT_TASKS)
def test_every_task_acks_late_has_time_limits_and_retries_only_temporary_errors(name):
    app.loader.import_default_modules()
    task = app.tasks[name]

    assert task.acks_late is True
    assert 0 < task.soft_time_limit < task.time_limit <= 300
    assert task.max_retries <= 8
    assert task.retry_jitter is True
    assert task.retry_backoff
    assert Exception not in task.autoretry_for
    assert CarrierPermanentError not in task.autoretry_for
    if name in ("fulfillment.order_fulfill", "fulfillment.order_paid", "fulfillment.shipment_book"):
        assert CarrierTemporaryError in task.autoretry_for


def test_a_killed_worker_task_is_delivered_again():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    # A killed worker's task is taken up within a lease and a sweep: well within 30 s.
    options = app.conf.broker_transport_options
    assert options["visibility_timeout"] + options["unacked_restore_interval"] <= 30
    assert options["unacked_restore_throttle"] == 1
    # ...and a long task on a living worker keeps its lease (shop/core/task_leases.py).
    assert any(step.__name__ == "TaskLeases" for step in app.steps["consumer"])


def test_publishing_does_not_wait_on_a_dead_broker():
    options = app.conf.broker_transport_options
    assert options["max_retries"] == 0
    assert options["socket_connect_timeout"] <= 2

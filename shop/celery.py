"""The Celery application shared by web, worker and beat.

Queues (a worker takes the ones named with ``-Q``; scale each by adding workers):

- ``default``: order housekeeping (expiry, lapsed reservations), catalog housekeeping
  and anything unrouted;
- ``fulfillment``: splitting orders, booking carriers, tracking, the sweeps;
- ``notifications``: e-mails to shoppers and staff;
- ``reports``: closing partners' monthly settlements and paying them out.

The beat schedule below is the one place periodic work is declared. Production runs it
with ``celery beat``; the embedded default runs it inside ``manage.py runserver``
(shop/ops/beat.py).
"""

import os
from typing import Any

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

import shop.core.observability  # noqa: F401  (request ids into tasks, task failure counts)
from shop.core.task_leases import TaskLeases

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.local")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Workers renew the leases of the tasks they hold (shop/core/task_leases.py).
app.steps["consumer"].add(TaskLeases)

QUEUES = ("default", "fulfillment", "notifications", "reports")

app.conf.task_default_queue = "default"
app.conf.task_queues = tuple(Queue(name, routing_key=name) for name in QUEUES)
app.conf.task_routes = {
    "fulfillment.order_email_send": {"queue": "notifications"},
    "fulfillment.stock_low_alerts_send": {"queue": "notifications"},
    "fulfillment.order_emails_sweep": {"queue": "notifications"},
    "payments.payment_alert_send": {"queue": "notifications"},
    "fulfillment.*": {"queue": "fulfillment"},
    "orders.*": {"queue": "default"},
    "payments.*": {"queue": "default"},
    "partners.*": {"queue": "reports"},
}


def beat_schedule(every_minute: float = 60.0) -> dict[str, dict[str, Any]]:
    """The periodic work of the shop. ``every_minute`` is the sweeps' interval in seconds
    (``SHOP_SWEEP_SECONDS``; a minute in production)."""
    soon = every_minute - 5 if every_minute > 10 else every_minute
    return {
        "expire-unpaid-orders": {
            "task": "orders.orders_expire_unpaid",
            "schedule": every_minute,
            "options": {"expires": soon},
        },
        "release-expired-reservations": {
            "task": "orders.reservations_release_expired",
            "schedule": every_minute,
            "options": {"expires": soon},
        },
        # Paid orders whose fulfilment task was lost (broker down at payment time).
        "sweep-unfulfilled-orders": {
            "task": "fulfillment.orders_fulfill_sweep",
            "schedule": every_minute,
            "options": {"expires": soon},
        },
        "poll-carrier-tracking": {
            "task": "fulfillment.shipments_track_open",
            "schedule": every_minute,
            "options": {"expires": soon},
        },
        # Order e-mails whose task was lost while the broker was down.
        "sweep-order-emails": {
            "task": "fulfillment.order_emails_sweep",
            "schedule": 5 * every_minute,
            "options": {"expires": 4 * every_minute},
        },
        "complete-delivered-orders": {
            "task": "fulfillment.orders_complete_delivered",
            "schedule": crontab(minute=7),
        },
        # Refunds still pending: those the provider never answered are sent again with the
        # same idempotency key; those it holds pending (Alipay, WeChat Pay) are read back
        # until they succeed or fail.
        "sync-pending-refunds": {
            "task": "payments.refunds_sync_pending",
            "schedule": every_minute,
            "options": {"expires": soon},
        },
        # Payments left pending (a lost webhook) are re-read from the provider.
        "sync-stale-payments": {
            "task": "payments.payments_sync_stale",
            "schedule": 10 * every_minute,
            "options": {"expires": 9 * every_minute},
        },
        # The partners' report rows take the money events of the last seconds; every
        # report reads through them too, so this only keeps the waiting ones few.
        "catch-up-report-rows": {
            "task": "partners.report_rows_catch_up",
            "schedule": max(every_minute / 6, 1.0),
            "options": {"expires": max(every_minute / 6, 1.0)},
        },
        # Close every partner's previous month once it is over (times in Asia/Shanghai).
        "close-settlements": {
            "task": "partners.settlements_close_due",
            "schedule": crontab(hour=1, minute=10),
        },
        "low-stock-alerts": {
            "task": "fulfillment.stock_low_alerts_send",
            "schedule": crontab(hour=8, minute=0),
        },
        # The product list's in-stock flags a lost after-commit recount left behind.
        "sweep-list-entries-stock": {
            "task": "catalog.list_entries_stock_sweep",
            "schedule": 5 * every_minute,
            "options": {"expires": 4 * every_minute},
        },
    }


@app.on_after_configure.connect
def _beat_schedule_declare(sender: Celery, **_: Any) -> None:
    # Read once Django's settings are there: this module is imported while they load.
    from django.conf import settings

    sender.conf.beat_schedule = beat_schedule(float(settings.SHOP_SWEEP_SECONDS))


app.autodiscover_tasks()

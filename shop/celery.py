"""The Celery application shared by web, worker and beat.

Queues (a worker takes the ones named with ``-Q``; scale each by adding workers):

- ``default``: order housekeeping (expiry, lapsed reservations), catalog housekeeping
  and anything unrouted;
- ``fulfillment``: splitting orders, booking carriers, tracking, the sweeps;
- ``notifications``: e-mails to shoppers and staff;
- ``reports``: closing partners' monthly settlements and paying them out.

The beat schedule below is the one place periodic work is declared.
"""

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

import shop.core.observability  # noqa: F401  (request ids into tasks, task failure counts)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.local")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("default", "fulfillment", "notifications", "reports")

app.conf.task_default_queue = "default"
app.conf.task_queues = tuple(Queue(name, routing_key=name) for name in QUEUES)
app.conf.task_routes = {
    "fulfillment.order_email_send": {"queue": "notifications"},
    "fulfillment.stock_low_alerts_send": {"queue": "notifications"},
    "fulfillment.order_emails_sweep": {"queue": "notifications"},
    "fulfillment.*": {"queue": "fulfillment"},
    "orders.*": {"queue": "default"},
    "payments.*": {"queue": "default"},
    "partners.*": {"queue": "reports"},
}

EVERY_MINUTE = 60.0

app.conf.beat_schedule = {
    "expire-unpaid-orders": {
        "task": "orders.orders_expire_unpaid",
        "schedule": EVERY_MINUTE,
        "options": {"expires": 55},
    },
    "release-expired-reservations": {
        "task": "orders.reservations_release_expired",
        "schedule": EVERY_MINUTE,
        "options": {"expires": 55},
    },
    # Paid orders whose fulfilment task was lost (broker down at payment time).
    "sweep-unfulfilled-orders": {
        "task": "fulfillment.orders_fulfill_sweep",
        "schedule": EVERY_MINUTE,
        "options": {"expires": 55},
    },
    "poll-carrier-tracking": {
        "task": "fulfillment.shipments_track_open",
        "schedule": EVERY_MINUTE,
        "options": {"expires": 55},
    },
    # Order e-mails whose task was lost while the broker was down.
    "sweep-order-emails": {
        "task": "fulfillment.order_emails_sweep",
        "schedule": 5 * EVERY_MINUTE,
        "options": {"expires": 4 * EVERY_MINUTE},
    },
    "complete-delivered-orders": {
        "task": "fulfillment.orders_complete_delivered",
        "schedule": crontab(minute=7),
    },
    # Refunds whose provider call timed out are sent again with the same idempotency key.
    "retry-pending-refunds": {
        "task": "payments.refunds_retry_pending",
        "schedule": EVERY_MINUTE,
        "options": {"expires": 55},
    },
    # Payments left pending (a lost webhook) are re-read from the provider.
    "sync-stale-payments": {
        "task": "payments.payments_sync_stale",
        "schedule": 10 * EVERY_MINUTE,
        "options": {"expires": 9 * EVERY_MINUTE},
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
        "schedule": 5 * EVERY_MINUTE,
        "options": {"expires": 4 * EVERY_MINUTE},
    },
}

app.autodiscover_tasks()

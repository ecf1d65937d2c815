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
from shop.core.heartbeat import WorkerHeartbeat
from shop.core.task_leases import TaskLeases

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.local")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Workers renew the leases of the tasks they hold (shop/core/task_leases.py).
app.steps["consumer"].add(TaskLeases)
# Workers touch their heartbeat file, which their healthcheck reads (shop/core/heartbeat.py).
app.steps["consumer"].add(WorkerHeartbeat)

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


# A periodic task runs every so many sweep intervals (SHOP_SWEEP_SECONDS: a minute in
# production, a second in the journeys) or at fixed times (a crontab, Asia/Shanghai). A
# run still queued when the next is due is dropped (``expires``, in sweep intervals):
# SOON is five seconds before the next run, where an interval is longer than ten.
SOON = "soon"
Every = float | crontab
# name, task, every (sweep intervals, or a crontab), expires (sweep intervals, or SOON)
SCHEDULE: tuple[tuple[str, str, Every, float | str | None], ...] = (
    ("expire-unpaid-orders", "orders.orders_expire_unpaid", 1, SOON),
    ("release-expired-reservations", "orders.reservations_release_expired", 1, SOON),
    # Paid orders whose fulfilment task was lost (broker down at payment time).
    ("sweep-unfulfilled-orders", "fulfillment.orders_fulfill_sweep", 1, SOON),
    ("poll-carrier-tracking", "fulfillment.shipments_track_open", 1, SOON),
    # Order e-mails whose task was lost while the broker was down.
    ("sweep-order-emails", "fulfillment.order_emails_sweep", 5, 4),
    ("complete-delivered-orders", "fulfillment.orders_complete_delivered", crontab(minute=7), None),
    # Refunds still pending: those the provider never answered are sent again with the
    # same idempotency key; those it holds pending (Alipay, WeChat Pay) are read back
    # until they succeed or fail.
    ("sync-pending-refunds", "payments.refunds_sync_pending", 1, SOON),
    # Payments left pending (a lost webhook) are re-read from the provider.
    ("sync-stale-payments", "payments.payments_sync_stale", 10, 9),
    # Yesterday's WeChat Pay and Alipay bills matched against our payments and refunds
    # (both offer a day's bill from 10:00 China time the next day).
    ("reconcile-provider-bills", "payments.bills_reconcile", crontab(hour=3, minute=30), None),
    # The partners' report rows take the money events of the last seconds; every
    # report reads through them too, so this only keeps the waiting ones few.
    ("catch-up-report-rows", "partners.report_rows_catch_up", 1 / 6, 1 / 6),
    # Close every partner's previous month once it is over.
    ("close-settlements", "partners.settlements_close_due", crontab(hour=1, minute=10), None),
    ("low-stock-alerts", "fulfillment.stock_low_alerts_send", crontab(hour=8, minute=0), None),
    # The product list's in-stock flags a lost after-commit recount left behind.
    ("sweep-list-entries-stock", "catalog.list_entries_stock_sweep", 5, 4),
)


def _seconds(sweeps: float, every_minute: float) -> float:
    # Never more often than once a second, however short the sweep interval.
    return max(sweeps * every_minute, 1.0)


def beat_schedule(every_minute: float = 60.0) -> dict[str, dict[str, Any]]:
    """The periodic work of the shop (``SCHEDULE``) as Celery beat reads it.
    ``every_minute`` is the sweeps' interval in seconds (``SHOP_SWEEP_SECONDS``)."""
    soon = every_minute - 5 if every_minute > 10 else every_minute
    schedule: dict[str, dict[str, Any]] = {}
    for name, task, every, expires in SCHEDULE:
        entry: dict[str, Any] = {"task": task}
        if isinstance(every, crontab):
            entry["schedule"] = every
        else:
            entry["schedule"] = _seconds(every, every_minute)
        if expires == SOON:
            entry["options"] = {"expires": soon}
        elif isinstance(expires, float | int):
            entry["options"] = {"expires": _seconds(expires, every_minute)}
        schedule[name] = entry
    return schedule


@app.on_after_configure.connect
def _beat_schedule_declare(sender: Celery, **_: Any) -> None:
    # Read once Django's settings are there: this module is imported while they load.
    from django.conf import settings

    sender.conf.beat_schedule = beat_schedule(float(settings.SHOP_SWEEP_SECONDS))


app.autodiscover_tasks()

"""Fulfillment tasks. Each takes ids, loads the rows, calls a service, and is idempotent.

- Every task acknowledges late (``CELERY_TASK_ACKS_LATE``): a worker killed in the
  middle of one leaves the message unacknowledged, and Redis hands it to another
  worker once the visibility timeout passes. Running it again changes nothing that
  was already done.
- Only temporary failures are retried (a carrier timing out or answering 5xx, the
  database dropping a connection or a deadlock, the mail server being away), with
  exponential backoff and jitter, at most ``MAX_RETRIES`` times. Anything else is a
  bug or a permanent refusal and is recorded, not retried.
- Every task has a soft and a hard time limit.

Nothing is lost when Redis is down at payment time: ``shop.core.tasks.enqueue`` logs
and moves on, the order is saved as paid, and :func:`orders_fulfill_sweep` (every
minute, from the beat schedule in ``shop/celery.py``) finds paid orders that still have
units without a shipment a minute later and fulfils them; it does the same for
shipments whose booking never ran. We chose the sweep over a transactional outbox
because the database already says exactly what is left to do -- a paid order with
unshipped units -- so there is no second record to keep consistent.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings

from fulfillment import alerts, emails, services
from fulfillment.carriers import CarrierTemporaryError
from fulfillment.carriers.simulated import simulated_timings
from fulfillment.models import CarrierCode, Shipment, ShipmentStatus
from shop.core.tasks import (
    DATABASE_TEMPORARY,
    EMAIL_TASK_OPTIONS,
    PERIODIC_OPTIONS,
    RETRY_OPTIONS,
    enqueue,
)

logger = logging.getLogger(__name__)

# Carriers away for a moment are temporary too.
TASK_OPTIONS: dict[str, Any] = {
    **RETRY_OPTIONS,
    "autoretry_for": (CarrierTemporaryError, *DATABASE_TEMPORARY),
}


def enqueue_later(task: Any, *args: Any, countdown: float) -> bool:
    """Like ``enqueue``, after ``countdown`` seconds (run at once when tasks are in-process)."""
    try:
        task.apply_async(args=args, countdown=countdown, retry=False)
    except Exception:  # broker down: the periodic poll catches up
        logger.warning("could not enqueue %s%r; the periodic poll will", task.name, args)
        return False
    return True


def _simulated_next_poll(shipment: Shipment) -> float | None:
    """Seconds until the simulated carrier's next event, so the demo moves without waiting
    for the periodic poll; None for real carriers, finished shipments, and news further
    away than the periodic poll's next turn (``SHOP_SWEEP_SECONDS``), which asks then:
    a poll due an hour later would wait in the worker's memory all that time."""
    if shipment.carrier != CarrierCode.SIMULATED or shipment.booked_at is None:
        return None
    pickup, delivery = simulated_timings()
    if shipment.status in (ShipmentStatus.BOOKED, ShipmentStatus.PACKED):
        delay = pickup + 1.0
    elif shipment.status == ShipmentStatus.SHIPPED:
        delay = delivery + 1.0
    else:
        return None
    return _polled_before_the_sweep(delay)


def _polled_before_the_sweep(delay: float) -> float | None:
    return delay if delay < float(settings.SHOP_SWEEP_SECONDS) else None


_POLL_FIELDS = ("carrier", "status", "booked_at")


def _poll_when_due(shipment: Shipment) -> None:
    delay = _simulated_next_poll(shipment)
    if delay is not None:
        enqueue_later(shipment_track, shipment.pk, countdown=delay)


def _fulfil_and_book(order_id: int) -> list[int]:
    """Split the order into shipments and book each, in this task: with a carrier that
    lives in this process in the split's own transaction, with one over the network
    right after it. A carrier away for a moment leaves that booking to a task of its
    own, retried as bookings are; the rest goes on. Returns the shipments booked."""
    fulfilment = services.order_fulfill_booking(order_id=order_id)
    booked = list(fulfilment.booked)
    if booked and _polled_before_the_sweep(simulated_timings()[0] + 1.0) is not None:
        for shipment in Shipment.objects.filter(pk__in=booked).only(*_POLL_FIELDS):
            _poll_when_due(shipment)
    for shipment_id in fulfilment.to_book:
        try:
            shipment = services.shipment_book(shipment_id=shipment_id)
        except TASK_OPTIONS["autoretry_for"]:
            logger.warning("shipment %s: carrier not reached now; booking queued", shipment_id)
            enqueue(shipment_book, shipment_id)
            continue
        if shipment.waybill_number:
            booked.append(shipment_id)
            _poll_when_due(shipment)
    return booked


# Tasks other code enqueues


@shared_task(name="fulfillment.order_fulfill", **TASK_OPTIONS)
def order_fulfill(order_id: int) -> list[int]:
    """Split a paid order into shipments (one per warehouse) and book each with its
    carrier; returns the shipments booked."""
    return _fulfil_and_book(order_id)


@shared_task(name="fulfillment.order_paid", **TASK_OPTIONS)
def order_paid(order_id: int) -> list[int]:
    """What follows a payment, sent as one message by the request that took it: the
    payment e-mail is sent, then the order is split and its shipments booked as
    ``order_fulfill`` does: one task per paid order. The e-mail goes out here rather
    than as a task of its own; when it cannot be sent now (the mail server away for a
    moment) it is queued as its own task, retried as e-mails are, and the fulfilment
    goes on. Run again, the e-mail is still sent once (each kind once per order) and
    each shipment booked once."""
    try:
        order_email_send.run(order_id, "payment_received")
    except EMAIL_TASK_OPTIONS["autoretry_for"]:
        logger.warning("order %s: payment e-mail not sent now; queued", order_id)
        enqueue(order_email_send, order_id, "payment_received")
    return _fulfil_and_book(order_id)


@shared_task(name="fulfillment.order_email_send", **EMAIL_TASK_OPTIONS)
def order_email_send(order_id: int, kind: str, refund_id: int | None = None) -> bool:
    """Send one of the order e-mails, once: order_confirmation, payment_received, shipped,
    delivered, refund_issued."""
    try:
        return emails.order_email_send(order_id=order_id, kind=kind, refund_id=refund_id)
    except emails.UnknownEmailKind:
        logger.error("order %s: no e-mail of kind %r", order_id, kind)
        return False


# Shipments


@shared_task(name="fulfillment.shipment_book", **TASK_OPTIONS)
def shipment_book(shipment_id: int) -> str:
    """Book a waybill with the carrier; then look at its tracking when news is due."""
    shipment = services.shipment_book(shipment_id=shipment_id)
    _poll_when_due(shipment)
    return shipment.waybill_number


@shared_task(name="fulfillment.shipment_track", **TASK_OPTIONS)
def shipment_track(shipment_id: int) -> str:
    """Read the carrier's tracking; ships or delivers the shipment when the carrier says so."""
    before = Shipment.objects.values_list("status", flat=True).get(pk=shipment_id)
    shipment = services.shipment_track(shipment_id=shipment_id)
    if shipment.status != before:
        _poll_when_due(shipment)
    return shipment.status


# Periodic (see the beat schedule in shop/celery.py)


@shared_task(name="fulfillment.shipments_track_open", **PERIODIC_OPTIONS)
def shipments_track_open() -> int:
    """Poll the carrier of every shipment that is booked or on its way."""
    ids = services.shipments_to_track()
    for shipment_id in ids:
        enqueue(shipment_track, shipment_id)
    return len(ids)


@shared_task(name="fulfillment.orders_fulfill_sweep", **PERIODIC_OPTIONS)
def orders_fulfill_sweep() -> dict[str, int]:
    """Fulfil paid orders and book shipments whose task never ran (the broker was down),
    and cancel the unsent shipments of orders that were cancelled or refunded meanwhile."""
    orders = services.orders_unfulfilled()
    for order_id in orders:
        enqueue(order_fulfill, order_id)
    shipments = services.shipments_unbooked()
    for shipment_id in shipments:
        enqueue(shipment_book, shipment_id)
    cancelled = sum(
        services.order_shipments_cancel(order_id=order_id)
        for order_id in services.orders_closed_with_open_shipments()
    )
    if orders or shipments or cancelled:
        logger.info(
            "sweep: %d orders, %d shipments caught up; %d shipments of closed orders cancelled",
            len(orders),
            len(shipments),
            cancelled,
        )
    return {"orders": len(orders), "shipments": len(shipments), "cancelled": cancelled}


@shared_task(name="fulfillment.order_emails_sweep", **PERIODIC_OPTIONS)
def order_emails_sweep() -> int:
    """Send the order e-mails of recent events whose task never ran (broker down)."""
    from datetime import timedelta

    from django.utils import timezone

    from fulfillment.emails import CATCH_UP_WINDOW, order_emails_owed

    now = timezone.now()
    owed = order_emails_owed(since=now - CATCH_UP_WINDOW, before=now - timedelta(minutes=2))
    for order_id, kind, refund_id in owed:
        enqueue(order_email_send, order_id, kind, refund_id)
    if owed:
        logger.info("e-mail sweep: %d e-mails caught up", len(owed))
    return len(owed)


@shared_task(name="fulfillment.orders_complete_delivered", **PERIODIC_OPTIONS)
def orders_complete_delivered() -> int:
    """Delivered orders whose return window has passed become completed."""
    return services.orders_complete_delivered()


@shared_task(name="fulfillment.stock_low_alerts_send", **{**PERIODIC_OPTIONS, **EMAIL_TASK_OPTIONS})
def stock_low_alerts_send() -> int:
    """Tell each partner's staff about stock at or below its threshold, once a day per row."""
    return alerts.stock_low_alerts_send()

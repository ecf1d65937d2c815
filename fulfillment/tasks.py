"""Fulfillment tasks. Each takes ids, is idempotent and is enqueued after commit."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="fulfillment.order_fulfill")
def order_fulfill(order_id: int) -> None:
    """Split a paid order into shipments and book them (built by the fulfillment issue)."""


@shared_task(name="fulfillment.order_email_send")
def order_email_send(order_id: int, kind: str, refund_id: int | None = None) -> None:
    """Send one of the order e-mails: order_confirmation, payment_received, shipped,
    delivered, refund_issued (built by the fulfillment issue)."""

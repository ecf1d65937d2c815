"""Periodic payment housekeeping: finish refunds the provider did not answer, and read
again payments whose webhook may have been lost."""

from __future__ import annotations

from celery import shared_task

from shop.payments.refunds import refunds_retry_pending
from shop.payments.services import payments_sync_stale


@shared_task(name="payments.refunds_retry_pending")
def refunds_retry_pending_task() -> int:
    return refunds_retry_pending()


@shared_task(name="payments.payments_sync_stale")
def payments_sync_stale_task() -> int:
    return payments_sync_stale()

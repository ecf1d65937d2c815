"""Periodic payment housekeeping, and the e-mails that tell staff about money needing a
person: refunds still pending are read back (or sent again when the provider never
answered), payments whose webhook may have been lost are read again."""

from __future__ import annotations

from celery import shared_task

from shop.core.tasks import EMAIL_TASK_OPTIONS
from shop.payments.alerts import payment_alert_send
from shop.payments.reconciliation import bills_reconcile_yesterday
from shop.payments.refund_state import refunds_sync_pending
from shop.payments.services import payments_sync_stale


@shared_task(name="payments.refunds_sync_pending")
def refunds_sync_pending_task() -> int:
    return refunds_sync_pending()


@shared_task(name="payments.payments_sync_stale")
def payments_sync_stale_task() -> int:
    return payments_sync_stale()


@shared_task(name="payments.payment_alert_send", **EMAIL_TASK_OPTIONS)
def payment_alert_send_task(kind: str, subject_id: int) -> bool:
    """Tell the staff of the order's partner about a payment held for review or a refund
    that failed; once per subject."""
    return payment_alert_send(kind=kind, subject_id=subject_id)


@shared_task(name="payments.bills_reconcile")
def bills_reconcile_task() -> dict[str, int]:
    """Yesterday's bill of each provider that offers one, matched against the shop."""
    return bills_reconcile_yesterday()

"""Partner tasks: close the months that are over, store their statements, and pay
partners when that is enabled.

They take ids (or nothing), call a service and are safe to run again.
"""

from __future__ import annotations

from celery import shared_task

from partners.reports.rollups import report_rows_current
from partners.settlements.closing import settlements_close_due
from partners.settlements.stored_statements import settlement_statements_store
from partners.settlements.transfers import TransferTemporaryError, settlement_transfer_send


@shared_task(name="partners.settlements_close_due")
def settlements_close_due_task() -> list[int]:
    """Close last month's settlements of every partner (run daily by beat; idempotent)."""
    return settlements_close_due()


@shared_task(
    name="partners.settlement_transfer_send",
    autoretry_for=(TransferTemporaryError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def settlement_transfer_send_task(settlement_id: int) -> str:
    """Send a closed settlement's Stripe Connect transfer (same idempotency key on retry)."""
    return settlement_transfer_send(settlement_id=settlement_id).transfer_status


@shared_task(name="partners.report_rows_catch_up", acks_late=True, max_retries=0)
def report_rows_catch_up_task() -> None:
    """Add the money events of the last seconds to the report rows (every few seconds)."""
    report_rows_current()


@shared_task(name="partners.settlement_statements_store")
def settlement_statements_store_task(settlement_id: int) -> list[str]:
    """Render a closed settlement's CSV, XLSX and PDF once and store them (idempotent)."""
    return settlement_statements_store(settlement_id=settlement_id)

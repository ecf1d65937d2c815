"""Periodic catalog housekeeping."""

from __future__ import annotations

from celery import shared_task

from catalog.list_entries import list_entries_stock_sweep


@shared_task(name="catalog.list_entries_stock_sweep", soft_time_limit=120, time_limit=150)
def list_entries_stock_sweep_task() -> int:
    """Recount the products whose in-stock flag in the product list disagrees with their
    stock (a process that died between a checkout's commit and its recount)."""
    return list_entries_stock_sweep()

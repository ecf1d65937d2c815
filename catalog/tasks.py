"""Catalog tasks: periodic housekeeping, and CSV imports too large for a request."""

from __future__ import annotations

from celery import shared_task

from catalog.csv.imports import csv_import_run
from catalog.list_entries import list_entries_stock_sweep


@shared_task(name="catalog.list_entries_stock_sweep", soft_time_limit=120, time_limit=150)
def list_entries_stock_sweep_task() -> int:
    """Recount the products whose in-stock flag in the product list disagrees with their
    stock (a process that died between a checkout's commit and its recount)."""
    return list_entries_stock_sweep()


@shared_task(name="catalog.csv_import_run", soft_time_limit=600, time_limit=660)
def csv_import_run_task(import_id: int, language: str = "") -> str:
    """Apply a large CSV import, all or nothing (idempotent: a taken one is left alone)."""
    return csv_import_run(import_id=import_id, language=language)

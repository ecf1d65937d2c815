"""CSV imports too large for one request run as a task, all or nothing as ever.

A file of more than ``SHOP_CSV_IMPORT_INLINE_ROWS`` lines is kept in the private
storage as a :class:`CsvImport` and applied by the task ``catalog.csv_import_run``
(the staff API answers 202 with the import to follow); a smaller one is applied in the
request, as before. While a task applies a file, its progress (rows done of the total)
is kept in the cache, since the rows it writes stay invisible until its one transaction
commits; the admin and the staff API read it from there. The outcome is written to the
row: ``done`` with the counts, or ``refused`` with the rows at fault and nothing stored.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from catalog.csv.jobs import CsvImport, CsvImportKind, CsvImportStatus
from catalog.csv.products import products_import
from catalog.csv.stock import stock_import
from shop.core.errors import ShopError
from shop.core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

IMPORTERS = {CsvImportKind.PRODUCTS: products_import, CsvImportKind.STOCK: stock_import}
# Progress is written every this many rows (and at the last): a cache write per row
# would cost more than the row.
PROGRESS_EVERY = 50


def csv_import_is_large(raw: bytes) -> bool:
    return raw.count(b"\n") > settings.SHOP_CSV_IMPORT_INLINE_ROWS


def csv_import_queue(*, kind: str, raw: bytes, filename: str, user: Any) -> CsvImport:
    """Keep the file and enqueue its import; the import row to follow."""
    with transaction.atomic():
        job = CsvImport(kind=kind, created_by=user if user.is_authenticated else None)
        job.file.save(filename or f"{kind}.csv", ContentFile(raw), save=False)
        job.save()
        # The rows at fault are told in the language of whoever uploaded the file.
        enqueue_on_commit("catalog.csv_import_run", job.pk, translation.get_language() or "")
    return job


def _progress_key(import_id: int) -> str:
    return f"csv-import:{import_id}:progress"


def csv_import_progress(job: CsvImport) -> tuple[int, int]:
    """(rows done, rows in all): from the cache while it runs, from the row after."""
    if job.status == CsvImportStatus.RUNNING:
        kept = cache.get(_progress_key(job.pk))
        if kept:
            return int(kept[0]), int(kept[1])
    return job.rows_done, job.rows_total


def csv_import_run(*, import_id: int, language: str = "") -> str:
    """Apply a queued import (idempotent: one already taken is left alone). Its status."""
    if language:
        with translation.override(language):
            return _csv_import_apply(import_id)
    return _csv_import_apply(import_id)


def _csv_import_apply(import_id: int) -> str:
    taken = CsvImport.objects.filter(pk=import_id, status=CsvImportStatus.QUEUED).update(
        status=CsvImportStatus.RUNNING
    )
    job = CsvImport.objects.get(pk=import_id)
    if not taken:
        return job.status
    user = job.created_by

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            cache.set(_progress_key(job.pk), (done, total), timeout=3600)

    outcome: dict[str, Any] = {"finished_at": timezone.now()}
    try:
        with job.file.open("rb") as upload:
            result: Any = IMPORTERS[CsvImportKind(job.kind)](
                upload=upload, user=user, progress=progress
            )
    except ShopError as exc:
        _done, total = cache.get(_progress_key(job.pk)) or (0, 0)
        fields = {name: [str(text) for text in texts] for name, texts in exc.fields.items()}
        outcome.update(
            status=CsvImportStatus.REFUSED,
            errors={"code": exc.code, "message": str(exc.message), "fields": fields},
            rows_done=0,
            rows_total=total,
        )
    else:
        counts = asdict(result)
        done, total = cache.get(_progress_key(job.pk)) or (0, 0)
        outcome.update(status=CsvImportStatus.DONE, result=counts, rows_done=done, rows_total=total)
    CsvImport.objects.filter(pk=job.pk).update(**outcome)
    cache.delete(_progress_key(job.pk))
    return str(outcome["status"])

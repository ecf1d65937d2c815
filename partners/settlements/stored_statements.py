"""A closed settlement's statement files, rendered once and kept in storage.

A closed month never changes, so its CSV, XLSX and PDF are rendered once, by the task
``partners.settlement_statements_store`` that closing enqueues, and kept through
Django's storage API (``storages["private"]``: files under ``SHOP_PRIVATE_ROOT`` by
default, an S3-compatible bucket with ``PRIVATE_STORAGE=s3``); a download then streams
the stored file instead of rendering a 40,000-line month inside a web request. The
files are private: no proxy serves them, only the partner API and dashboard, after
checking who asks.

A download of a closed month whose files are not stored yet (the task still queued, or
lost with the broker) renders and stores them there, once. An open month is provisional
and small; it is rendered on every download, as before.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.http import FileResponse, HttpResponse, HttpResponseBase

from partners.models import Settlement, SettlementStatus
from partners.settlements.statement_files import FORMATS, statement_render
from partners.settlements.statements import settlement_statement_get

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "private"


def statement_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def statement_stored_name(settlement: Settlement, fmt: str) -> str:
    return f"statements/{settlement.partner_id}/{settlement.number}.{fmt}"


def statement_store(settlement: Settlement, fmt: str) -> str:
    """Render one file of a closed settlement and store it, unless it is stored already.
    Its stored name; an existing file is never replaced (a closed month never changes)."""
    storage = statement_storage()
    name = statement_stored_name(settlement, fmt)
    if storage.exists(name):
        return name
    content = statement_render(settlement_statement_get(settlement), fmt)
    stored = storage.save(name, ContentFile(content))
    if stored != name:  # another process stored it meanwhile: keep one
        storage.delete(stored)
    return name


def settlement_statements_store(*, settlement_id: int) -> list[str]:
    """Store the three files of a closed settlement (idempotent; an open one: none)."""
    settlement = Settlement.objects.select_related("partner").get(pk=settlement_id)
    if settlement.status != SettlementStatus.CLOSED:
        return []
    return [statement_store(settlement, fmt) for fmt in FORMATS]


def statement_response(settlement: Settlement, fmt: str) -> HttpResponseBase:
    """A settlement's statement as a file download: a closed month's stored file, an
    open month's rendered now."""
    filename = f"{settlement.number}.{fmt}"
    if settlement.status == SettlementStatus.CLOSED:
        name = statement_store(settlement, fmt)
        response: HttpResponseBase = FileResponse(
            statement_storage().open(name, "rb"),
            content_type=FORMATS[fmt],
            as_attachment=True,
            filename=filename,
        )
    else:
        body = statement_render(settlement_statement_get(settlement), fmt)
        response = HttpResponse(body, content_type=FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response

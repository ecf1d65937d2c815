"""A CSV import too large for one request, run by a task (catalog/csv/imports.py).

Kept in its own module (imported by catalog/models.py) so the catalog's models stay
readable; its table belongs to the catalog app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _


def private_storage():  # a callable: the storage is chosen when it is used, not imported
    return storages["private"]


class CsvImportKind(models.TextChoices):
    PRODUCTS = "products", _("Products")
    STOCK = "stock", _("Stock")


class CsvImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class CsvImport(models.Model):
    """One uploaded file and what became of it: all of it applied (``done``) or none of
    it (``refused``, with the rows at fault), as an import inside a request."""

    kind = models.CharField(max_length=16, choices=CsvImportKind.choices, verbose_name=_("kind"))
    status = models.CharField(
        max_length=16,
        choices=CsvImportStatus.choices,
        default=CsvImportStatus.QUEUED,
        verbose_name=_("status"),
    )
    file = models.FileField(
        upload_to="imports/%Y/%m/", storage=private_storage, verbose_name=_("file")
    )
    rows_total = models.PositiveIntegerField(default=0, verbose_name=_("rows in all"))
    rows_done = models.PositiveIntegerField(default=0, verbose_name=_("rows done"))
    result = models.JSONField(default=dict, blank=True, verbose_name=_("result"))
    errors = models.JSONField(default=dict, blank=True, verbose_name=_("errors"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        app_label = "catalog"
        ordering = ["-created_at"]
        verbose_name = _("CSV import")
        verbose_name_plural = _("CSV imports")

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk} ({self.status})"

"""CSV imports run by a task, in the admin: what each became, and how far a running one
is (read from the cache while it runs). Read-only: a file is imported through the staff
API or the admin's import pages, never edited here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from catalog.csv.imports import csv_import_progress
from catalog.csv.jobs import CsvImport
from catalog.permissions import user_is_staff


@admin.register(CsvImport)
class CsvImportAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "progress", "created_by", "created_at", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = (
        "kind",
        "status",
        "progress",
        "file",
        "result",
        "errors",
        "created_by",
        "created_at",
        "finished_at",
    )
    exclude = ("rows_done", "rows_total")

    @admin.display(description=_("Progress"))
    def progress(self, job: CsvImport) -> str:
        done, total = csv_import_progress(job)
        return f"{done} / {total}" if total else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CsvImport]:
        jobs = super().get_queryset(request).select_related("created_by")
        user: Any = request.user
        return jobs if user.is_superuser else jobs.filter(created_by_id=user.pk)

    # Every staff member sees their own imports; superusers see all.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_is_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

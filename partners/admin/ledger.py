"""The ledger in the admin, read only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from rangefilter.filters import DateRangeFilter

from partners.models import (
    LedgerEntry,
)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: nobody adds, edits or deletes an entry here."""

    list_display = ["occurred_at", "partner", "kind", "role", "amount", "order", "period"]
    list_filter = ["partner", "kind", "period", ("occurred_at", DateRangeFilter)]
    search_fields = ["order__number", "source"]
    list_select_related = ["partner", "order"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

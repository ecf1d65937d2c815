"""The ledger in the admin, read only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rangefilter.filters import DateRangeFilter

from partners.ledger import split
from partners.models import LedgerEntry, PartyRole


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: nobody adds, edits or deletes an entry here."""

    list_display = ["occurred_at", "partner", "kind", "role_label", "amount", "order", "period"]
    list_filter = ["partner", "kind", "period", ("occurred_at", DateRangeFilter)]
    search_fields = ["order__number", "source"]
    list_select_related = ["partner", "order"]
    date_hierarchy = "occurred_at"

    @admin.display(description=_("role"), ordering="role")
    def role_label(self, entry: LedgerEntry) -> str:
        """The party's role by name: an agreement's roles, the channel owner, logistics."""
        labels = {
            **dict(PartyRole.choices),
            split.CHANNEL_OWNER: _("channel owner"),
            split.LOGISTICS: _("logistics operator"),
            split.SELLER: _("seller"),
        }
        return str(labels.get(entry.role, entry.role))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Settlements in the admin: read only, closed only through
:func:`partners.settlements.closing.settlement_close`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from partners.admin.inlines import ReadOnlyInline
from partners.models import (
    Settlement,
    SettlementEvent,
    SettlementLine,
)
from partners.settlements.closing import settlement_close
from shop.core.errors import ShopError


class SettlementLineInline(ReadOnlyInline):
    model = SettlementLine
    fields = (
        "order_number",
        "gross",
        "commissions",
        "refunds",
        "logistics_fees",
        "payment_fees",
        "net",
    )
    readonly_fields = fields


class SettlementEventInline(ReadOnlyInline):
    model = SettlementEvent
    fields = ("created_at", "type", "from_status_label", "to_status_label", "data", "user")
    readonly_fields = fields


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin):
    list_display = ["partner", "period", "status", "net", "transfer_status", "closed_at"]
    list_filter = ["status", "partner", "transfer_status"]
    inlines = [SettlementLineInline, SettlementEventInline]
    actions = ["close_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Settlement._meta.fields] + ["statements"]

    @admin.display(description=_("statements"))
    def statements(self, obj: Settlement) -> str:
        return format_html_join(
            " · ",
            '<a href="{}?partner={}">{}</a>',
            (
                (
                    reverse("partners_dashboard:statement", args=[obj.pk, fmt]),
                    obj.partner.code,
                    fmt.upper(),
                )
                for fmt in ("csv", "xlsx", "pdf")
            ),
        ) or format_html("")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Close the selected settlements (months that are over)"))
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Settlement]) -> None:
        closed = 0
        for settlement_id in queryset.order_by("period").values_list("pk", flat=True):
            try:
                settlement_close(settlement_id=settlement_id, user=request.user)
                closed += 1
            except ShopError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        self.message_user(request, _("%(count)s settlement(s) closed.") % {"count": closed})

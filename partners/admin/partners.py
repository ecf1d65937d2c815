from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from partners.models import AgreementParty, Partner, PartnerMembership
from shop.core.history_admin import HistoryAdmin


class MembershipInline(admin.TabularInline):
    model = PartnerMembership
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Partner)
class PartnerAdmin(HistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "contact_email", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_zh", "name_en", "legal_name"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MembershipInline]


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(HistoryAdmin):
    """Memberships are edited on their partner's page; here each has its history."""

    list_display = ["user", "partner", "role", "created_at"]
    list_filter = ["partner", "role"]
    list_select_related = ["user", "partner"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(AgreementParty)
class AgreementPartyAdmin(HistoryAdmin):
    """Parties are written with their agreement version and never edited; read only."""

    list_display = ["version", "partner", "role", "share_bp"]
    list_filter = ["partner", "role"]
    list_select_related = ["version__agreement", "partner"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from django.contrib import admin

from partners.models import Partner, PartnerMembership


class MembershipInline(admin.TabularInline):
    model = PartnerMembership
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "contact_email", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_zh", "name_en", "legal_name"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MembershipInline]

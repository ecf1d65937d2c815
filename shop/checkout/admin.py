"""Vouchers in the admin, each with the history of its terms (who changed what, when)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from shop.checkout.models import Voucher


@admin.register(Voucher)
class VoucherAdmin(SimpleHistoryAdmin):
    list_display = ["code", "kind", "value", "min_spend", "times_used", "usage_limit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    # Uses are counted by checkouts; typing the count in would lose a concurrent one.
    readonly_fields = ["times_used", "created_at", "updated_at"]
    date_hierarchy = "created_at"

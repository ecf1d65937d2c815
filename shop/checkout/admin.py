"""Vouchers in the admin, each with the history of its terms (who changed what, when)."""

from django.contrib import admin

from shop.checkout.models import Voucher
from shop.core.history_admin import HistoryAdmin


@admin.register(Voucher)
class VoucherAdmin(HistoryAdmin):
    list_display = ["code", "kind", "value", "min_spend", "times_used", "usage_limit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    # Uses are counted by checkouts; typing the count in would lose a concurrent one.
    readonly_fields = ["times_used", "created_at", "updated_at"]
    date_hierarchy = "created_at"

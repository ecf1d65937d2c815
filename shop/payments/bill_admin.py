"""The daily reconciliation in the admin (对账单, 对账差异): each provider's bill of a day
and the lines where it and the shop disagree. Staff mark a line 已处理 once settled
(with a note); a partner's staff see the lines of their own partner's channels."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shop.core.permissions import user_partner_id
from shop.payments.models import BillLine, BillMismatch, BillStatement

_STATEMENT_FIELDS: tuple[str, ...] = (
    "bill_date",
    "provider",
    "rows",
    "matched",
    "mismatched",
    "pending",
    "bill_fees",
    "shop_fees",
    "downloaded_at",
)


class BillLineInline(admin.TabularInline):
    """The bill's rows as read: what a payment billed on a neighbouring day is found by."""

    model = BillLine
    fields = ("kind", "reference", "amount", "fee", "occurred_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(BillStatement)
class BillStatementAdmin(admin.ModelAdmin):
    list_display = _STATEMENT_FIELDS
    list_filter = ["provider"]
    date_hierarchy = "bill_date"
    readonly_fields = _STATEMENT_FIELDS
    inlines = [BillLineInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(BillMismatch)
class BillMismatchAdmin(admin.ModelAdmin):
    list_display = [
        "statement",
        "kind",
        "reference",
        "shop_amount",
        "bill_amount",
        "channel",
        "payment",
        "refund",
        "pending",
        "resolved",
    ]
    list_filter = ["resolved", "pending", "kind", "statement__provider", "statement__bill_date"]
    search_fields = ["reference"]
    list_select_related = ["statement", "channel", "payment", "refund"]
    readonly_fields = [
        "statement",
        "kind",
        "reference",
        "payment",
        "refund",
        "channel",
        "shop_amount",
        "bill_amount",
        "pending",
    ]
    actions = ["mark_resolved"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rows = super().get_queryset(request)
        partner_id = user_partner_id(request.user)
        if request.user.is_superuser or partner_id is None:  # type: ignore[union-attr]
            return rows if request.user.is_superuser else rows.none()  # type: ignore[union-attr]
        return rows.filter(channel__owner_id=partner_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Mark as resolved"))
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet) -> None:
        queryset.update(resolved=True)

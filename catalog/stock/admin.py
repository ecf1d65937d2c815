"""Django admin for warehouses, stock and stock movements.

Who may do what follows catalog.permissions: every staff user may look (partner staff at
their own warehouses only), and stock changes only in warehouses the user manages. Units
on hand are never typed in: the stock form offers a receipt, an adjustment or a count,
which go through the stock services so every change is a movement row.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from rangefilter.filters import DateRangeFilter

from catalog.list_entries import list_entries_stock_recount
from catalog.models import (
    Stock,
    StockMovement,
    Warehouse,
)
from catalog.permissions import (
    movements_visible_to,
    stocks_visible_to,
    user_can_manage_warehouse,
    user_is_staff,
    user_stock_partner_id,
    warehouse_manage_check,
    warehouses_visible_to,
)
from catalog.stock.list_filters import LowStockFilter, OwnPartnerFilter, OwnWarehouseFilter
from catalog.stock.selectors import stock_with_available
from catalog.stock.services import stock_adjust, stock_count, stock_low_threshold_set, stock_receive
from catalog.stock.transfer_admin import stock_transfer_view
from shop.core.errors import ShopError
from shop.core.history_admin import HistoryAdmin


class StockManagerMixin:
    """Every staff user looks (partner staff at their own warehouses only); superusers
    and partner staff change stock in the warehouses they manage."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_is_staff(request.user)

    def _manages_some_warehouse(self, request: HttpRequest) -> bool:
        user = request.user
        return user_is_staff(user) and (
            user.is_superuser or user_stock_partner_id(user) is not None
        )


@admin.register(Warehouse)
class WarehouseAdmin(StockManagerMixin, admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "partner", "city", "is_active"]
    list_filter = [("partner", admin.RelatedOnlyFieldListFilter), "is_active"]
    list_select_related = ["partner"]
    search_fields = ["code", "name_zh", "name_en", "city"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Warehouse]:
        return warehouses_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages_some_warehouse(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self._manages_some_warehouse(request)
        return user_can_manage_warehouse(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def save_model(self, request: HttpRequest, obj: Warehouse, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            # Units in a closed warehouse are not for sale: the list's stock flags change.
            stocked = Stock.objects.filter(warehouse=obj).values_list(
                "variant__product_id", flat=True
            )
            list_entries_stock_recount(product_ids=stocked)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        partner_id = user_stock_partner_id(request.user)
        if db_field.name == "partner" and partner_id is not None:
            kwargs["queryset"] = db_field.related_model.objects.filter(pk=partner_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StockAdminForm(forms.ModelForm):
    """One change at a time: a receipt, an adjustment or a count, applied by the services."""

    receive_quantity = forms.IntegerField(required=False, min_value=1, label=_("Receive units"))
    batch_reference = forms.CharField(required=False, max_length=100, label=_("Batch reference"))
    receipt_note = forms.CharField(required=False, max_length=500, label=_("Receipt note"))
    adjust_by = forms.IntegerField(
        required=False, label=_("Adjust by"), help_text=_("Positive adds units, negative removes.")
    )
    adjust_note = forms.CharField(required=False, max_length=500, label=_("Reason"))
    counted_quantity = forms.IntegerField(required=False, min_value=0, label=_("Counted units"))
    count_note = forms.CharField(required=False, max_length=500, label=_("Reason for the count"))

    class Meta:
        model = Stock
        fields = ["variant", "warehouse", "low_stock_threshold"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [
            name
            for name in ("receive_quantity", "adjust_by", "counted_quantity")
            if data.get(name) is not None
        ]
        if len(chosen) > 1:
            raise forms.ValidationError(_("Receive, adjust or count: one change at a time."))
        if data.get("receive_quantity") is not None and not data.get("batch_reference"):
            self.add_error("batch_reference", _("A receipt needs its batch reference."))
        if data.get("adjust_by") is not None:
            if data["adjust_by"] == 0:
                self.add_error("adjust_by", _("Cannot be zero."))
            if not data.get("adjust_note"):
                self.add_error("adjust_note", _("Say why the units changed."))
            stock = self.instance
            if stock.pk and -data["adjust_by"] > stock.quantity_available:
                self.add_error(
                    "adjust_by",
                    _("Only %(free)s units are free; %(asked)s cannot be removed.")
                    % {"free": stock.quantity_available, "asked": -data["adjust_by"]},
                )
        counted = data.get("counted_quantity")
        if counted is not None and not data.get("count_note"):
            self.add_error("count_note", _("Say why the stock was counted."))
        if counted is not None and self.instance.pk and counted < self.instance.quantity_reserved:
            self.add_error(
                "counted_quantity",
                _("%(count)s units are reserved; the count cannot be lower.")
                % {"count": self.instance.quantity_reserved},
            )
        return data


class StockActionForm(ActionForm):
    threshold = forms.IntegerField(required=False, min_value=0, label=_("Threshold"))


@admin.register(Stock)
class StockAdmin(StockManagerMixin, HistoryAdmin):
    form = StockAdminForm
    action_form = StockActionForm
    actions = ["set_low_threshold"]
    list_display = [
        "sku",
        "product",
        "warehouse",
        "quantity",
        "quantity_reserved",
        "available",
        "low_stock_threshold",
        "is_low",
    ]
    # Only the warehouses and partners on rows the user sees: no other partner's names.
    list_filter = [
        ("warehouse", admin.RelatedOnlyFieldListFilter),
        ("warehouse__partner", admin.RelatedOnlyFieldListFilter),
        LowStockFilter,
    ]
    search_fields = ["variant__sku"]
    readonly_fields = ["quantity", "quantity_reserved", "updated_at"]
    fieldsets = [
        (None, {"fields": ["variant", "warehouse", "low_stock_threshold"]}),
        (_("Units"), {"fields": ["quantity", "quantity_reserved", "updated_at"]}),
        (
            _("Receive a production batch"),
            {"fields": ["receive_quantity", "batch_reference", "receipt_note"]},
        ),
        (_("Adjust"), {"fields": ["adjust_by", "adjust_note"]}),
        (_("Count"), {"fields": ["counted_quantity", "count_note"]}),
    ]

    change_list_template = "admin/catalog/stock/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stock]:
        return stocks_visible_to(request.user, stock_with_available())

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        can_transfer = self.has_change_permission(request)
        return super().changelist_view(
            request, {**(extra_context or {}), "can_transfer": can_transfer}
        )

    def get_urls(self) -> list[Any]:
        transfer = self.admin_site.admin_view(lambda request: stock_transfer_view(self, request))
        return [path("transfer/", transfer, name="catalog_stock_transfer"), *super().get_urls()]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "variant", "warehouse"] if obj is not None else fields

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        main, units, receive = self.fieldsets[:3]
        if obj is None:
            return [main, receive]
        if not self.has_change_permission(request, obj):
            return [main, units]
        return self.fieldsets

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "warehouse":
            kwargs["queryset"] = warehouses_visible_to(request.user, Warehouse.objects.all())
            if not request.user.is_superuser:
                kwargs["queryset"] = kwargs["queryset"].filter(
                    partner_id=user_stock_partner_id(request.user)
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages_some_warehouse(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self._manages_some_warehouse(request)
        return user_can_manage_warehouse(request.user, obj.warehouse)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("SKU"), ordering="variant__sku")
    def sku(self, stock: Stock) -> str:
        return stock.variant.sku

    @admin.display(description=_("product"))
    def product(self, stock: Stock) -> str:
        return str(stock.variant.product)

    @admin.display(description=_("free"), ordering="available")
    def available(self, stock: Stock) -> int:
        return stock.quantity_available

    @admin.display(description=_("low"), boolean=True)
    def is_low(self, stock: Stock) -> bool:
        return stock.quantity_available <= stock.low_stock_threshold

    def save_model(self, request: HttpRequest, obj: Stock, form: Any, change: bool) -> None:
        # Saving the row itself would write back the quantities read when the form was
        # opened; only a new row (with no units yet) is saved directly.
        warehouse_manage_check(request.user, obj.warehouse)
        if not change:
            obj.save()
        data = form.cleaned_data
        try:
            if change and "low_stock_threshold" in form.changed_data:
                stock_low_threshold_set(
                    stock=obj, threshold=data["low_stock_threshold"], user=request.user
                )
            if data.get("receive_quantity") is not None:
                stock_receive(
                    variant=obj.variant,
                    warehouse=obj.warehouse,
                    quantity=data["receive_quantity"],
                    batch_reference=data["batch_reference"],
                    note=data.get("receipt_note") or "",
                    user=request.user,
                )
            elif data.get("adjust_by") is not None:
                stock_adjust(
                    stock=obj, delta=data["adjust_by"], note=data["adjust_note"], user=request.user
                )
            elif data.get("counted_quantity") is not None:
                stock_count(
                    stock=obj,
                    counted_quantity=data["counted_quantity"],
                    note=data["count_note"],
                    user=request.user,
                )
        except ShopError as exc:
            self.message_user(
                request,
                _("Stock not changed: %(message)s") % {"message": exc.message},
                messages.ERROR,
            )

    @admin.action(description=_("Set the low-stock threshold (enter it above)"))
    def set_low_threshold(self, request: HttpRequest, queryset: QuerySet[Stock]) -> None:
        field = StockActionForm.base_fields["threshold"]
        try:
            threshold = field.clean(request.POST.get("threshold"))
        except forms.ValidationError:
            threshold = None
        if threshold is None:
            self.message_user(request, _("Enter a threshold of 0 or more."), messages.ERROR)
            return
        changed = skipped = 0
        for stock in queryset.select_related("warehouse"):
            if not user_can_manage_warehouse(request.user, stock.warehouse):
                skipped += 1
                continue
            stock_low_threshold_set(stock=stock, threshold=threshold, user=request.user)
            changed += 1
        self.message_user(
            request,
            _("Threshold set to %(threshold)s on %(count)s stock rows.")
            % {"threshold": threshold, "count": changed},
        )
        if skipped:
            self.message_user(
                request,
                _("%(count)s rows are in warehouses you do not manage.") % {"count": skipped},
                messages.WARNING,
            )


@admin.register(StockMovement)
class StockMovementAdmin(StockManagerMixin, admin.ModelAdmin):
    """The audit trail: read only, for everybody."""

    list_display = [
        "created_at",
        "who",
        "sku",
        "warehouse",
        "reason",
        "quantity_delta",
        "quantity_after",
        "reference",
    ]
    list_filter = [
        "reason",
        ("stock__warehouse", OwnWarehouseFilter),
        ("stock__warehouse__partner", OwnPartnerFilter),
        ("created_at", DateRangeFilter),
    ]
    list_select_related = ["stock__variant", "stock__warehouse", "created_by"]
    search_fields = ["stock__variant__sku", "reference", "note"]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[StockMovement]:
        return movements_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("SKU"), ordering="stock__variant__sku")
    def sku(self, movement: StockMovement) -> str:
        return movement.stock.variant.sku

    @admin.display(description=_("warehouse"), ordering="stock__warehouse__code")
    def warehouse(self, movement: StockMovement) -> str:
        return movement.stock.warehouse.code

    @admin.display(description=_("created by"), ordering="created_by__email")
    def who(self, movement: StockMovement) -> str:
        """Who made the change, whole and on one line, beside when (a long e-mail address
        in the last column was cut off at the page's edge)."""
        user = movement.created_by
        if user is None:
            return "-"
        return format_html('<span style="white-space: nowrap">{}</span>', user.email)

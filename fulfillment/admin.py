"""Admin screens for the fulfilment queue and returns; every change goes through the services.

Partner staff see only the shipments of their partner's warehouses and the returns of
the orders those shipped (the rules of fulfillment.selectors); the filters offer only
the warehouses on those rows, and the actions need the change permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rangefilter.filters import DateRangeFilter

from catalog.models import Stock, Warehouse
from catalog.permissions import stocks_visible_to, warehouses_visible_to
from fulfillment import returns, services
from fulfillment.models import (
    LowStockAlert,
    OrderEmail,
    ReturnCondition,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    TrackingEvent,
)
from fulfillment.selectors import (
    returns_visible_to,
    shipment_manage_check,
    shipments_visible_to,
    warehouse_pick_list,
)
from shop.core.errors import ShopError


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ShipmentLineInline(_ReadOnlyInline):
    model = ShipmentLine
    fields = ["order_line", "quantity", "reservation"]
    readonly_fields = ["order_line", "quantity", "reservation"]


class TrackingEventInline(_ReadOnlyInline):
    model = TrackingEvent
    fields = ["occurred_at", "code", "location", "description_zh", "description_en"]
    readonly_fields = ["occurred_at", "code", "location", "description_zh", "description_en"]


class ShipmentEventInline(_ReadOnlyInline):
    model = ShipmentEvent
    fields = ["created_at", "type", "from_status_label", "to_status_label", "data", "user"]
    readonly_fields = ["created_at", "type", "from_status_label", "to_status_label", "data", "user"]


def _each(request: HttpRequest, queryset: QuerySet[Shipment], action: Any, done: str) -> None:
    count = 0
    for shipment in queryset.select_related("warehouse"):
        try:
            shipment_manage_check(request.user, shipment)
            action(shipment)
            count += 1
        except ShopError as exc:
            messages.error(
                request,
                _("Shipment %(id)s: %(message)s") % {"id": shipment.pk, "message": exc.message},
            )
    if count:
        messages.success(request, done % {"count": count})


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "order",
        "warehouse",
        "status",
        "carrier",
        "waybill_number",
        "booking_error",
        "created_at",
        "label_link",
    ]
    list_filter = [
        "status",
        ("warehouse", admin.RelatedOnlyFieldListFilter),
        "carrier",
        ("created_at", DateRangeFilter),
        ("shipped_at", DateRangeFilter),
    ]
    search_fields = ["order__number", "waybill_number", "order__email"]
    list_select_related = ["order", "warehouse"]
    inlines = [ShipmentLineInline, TrackingEventInline, ShipmentEventInline]
    actions = ["mark_packed", "mark_shipped", "book_again"]
    readonly_fields = [
        "order",
        "warehouse",
        "partner",
        "carrier",
        "status",
        "waybill_number",
        "booking_attempts",
        "booking_error",
        "booked_at",
        "packed_at",
        "shipped_at",
        "delivered_at",
        "last_polled_at",
        "label_link",
    ]
    exclude = ["label_pdf"]
    change_list_template = "admin/fulfillment/shipment/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shipment]:
        return shipments_visible_to(request.user, super().get_queryset(request))

    def get_urls(self) -> list[Any]:
        pick_list = self.admin_site.admin_view(self.pick_list_view)
        return [
            path("pick-list/", pick_list, name="fulfillment_shipment_pick_list"),
            *super().get_urls(),
        ]

    def pick_list_view(self, request: HttpRequest) -> TemplateResponse:
        """What to take off the shelves, per warehouse the user sees (the API's pick list)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        warehouses = warehouses_visible_to(request.user, Warehouse.objects.order_by("code"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Pick lists"),
            "opts": self.model._meta,
            "warehouses": [(w, warehouse_pick_list(warehouse=w)) for w in warehouses],
        }
        return TemplateResponse(request, "admin/fulfillment/shipment/pick_list.html", context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("Label"))
    def label_link(self, shipment: Shipment) -> str:
        if not shipment.waybill_number:
            return "-"
        url = reverse("staff-shipment-label", kwargs={"shipment_id": shipment.pk})
        return format_html('<a href="{}" target="_blank">PDF</a>', url)

    @admin.action(description=gettext_lazy("Mark packed"), permissions=["change"])
    def mark_packed(self, request: HttpRequest, queryset: QuerySet[Shipment]) -> None:
        _each(
            request,
            queryset,
            lambda s: services.shipment_pack(shipment_id=s.pk, user=request.user),
            _("%(count)s shipment(s) packed."),
        )

    @admin.action(
        description=gettext_lazy("Mark shipped (booked with the carrier)"), permissions=["change"]
    )
    def mark_shipped(self, request: HttpRequest, queryset: QuerySet[Shipment]) -> None:
        _each(
            request,
            queryset,
            lambda s: services.shipment_ship(shipment_id=s.pk, user=request.user),
            _("%(count)s shipment(s) shipped."),
        )

    @admin.action(description=gettext_lazy("Book with the carrier again"), permissions=["change"])
    def book_again(self, request: HttpRequest, queryset: QuerySet[Shipment]) -> None:
        _each(
            request,
            queryset,
            lambda s: services.shipment_booking_retry(shipment_id=s.pk, user=request.user),
            _("%(count)s shipment(s) sent to the carrier."),
        )


class ReturnLineInline(_ReadOnlyInline):
    model = ReturnLine
    fields = ["order_line", "quantity", "condition", "warehouse", "movement"]
    readonly_fields = ["order_line", "quantity", "condition", "warehouse", "movement"]


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "status", "created_at", "decided_at", "received_at", "refund"]
    list_filter = ["status", ("created_at", DateRangeFilter)]
    search_fields = ["order__number", "order__email"]
    list_select_related = ["order", "refund__order"]
    inlines = [ReturnLineInline]
    actions = ["approve", "reject", "receive_resellable", "receive_damaged", "refund"]
    readonly_fields = [
        "order",
        "status",
        "reason",
        "requested_by",
        "decided_by",
        "decided_at",
        "received_at",
        "refund",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReturnRequest]:
        return returns_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _decide(self, request: HttpRequest, queryset: QuerySet, approve: bool) -> None:
        for return_request in queryset:
            try:
                returns.return_decide(
                    return_request=return_request, approve=approve, user=request.user
                )
            except ShopError as exc:
                message = _("Return %(id)s: %(message)s")
                messages.error(request, message % {"id": return_request.pk, "message": exc.message})

    @admin.action(description=gettext_lazy("Approve"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[ReturnRequest]) -> None:
        self._decide(request, queryset, True)

    @admin.action(description=gettext_lazy("Reject"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[ReturnRequest]) -> None:
        self._decide(request, queryset, False)

    def _each_return(self, request: HttpRequest, queryset: QuerySet, action: Any) -> None:
        for return_request in queryset.order_by("pk"):
            try:
                action(return_request)
            except ShopError as exc:
                message = _("Return %(id)s: %(message)s")
                messages.error(request, message % {"id": return_request.pk, "message": exc.message})

    def _receive(self, request: HttpRequest, queryset: QuerySet, condition: str) -> None:
        self._each_return(
            request,
            queryset,
            lambda r: returns.return_receive(
                return_request=r,
                user=request.user,
                lines=[
                    {"line_id": line.order_line_id, "condition": condition}
                    for line in r.lines.all()
                ],
            ),
        )

    @admin.action(
        description=gettext_lazy("Received: every unit back in stock"), permissions=["change"]
    )
    def receive_resellable(self, request: HttpRequest, queryset: QuerySet[ReturnRequest]) -> None:
        self._receive(request, queryset, ReturnCondition.RESELLABLE)

    @admin.action(
        description=gettext_lazy("Received: every unit written off as damaged"),
        permissions=["change"],
    )
    def receive_damaged(self, request: HttpRequest, queryset: QuerySet[ReturnRequest]) -> None:
        self._receive(request, queryset, ReturnCondition.DAMAGED)

    @admin.action(description=gettext_lazy("Refund the received returns"), permissions=["change"])
    def refund(self, request: HttpRequest, queryset: QuerySet[ReturnRequest]) -> None:
        self._each_return(
            request, queryset, lambda r: returns.return_refund(return_request=r, user=request.user)
        )


@admin.register(OrderEmail)
class OrderEmailAdmin(admin.ModelAdmin):
    list_display = ["order", "kind", "to", "language", "subject", "sent_at"]
    list_filter = ["kind", "language", ("sent_at", DateRangeFilter)]
    search_fields = ["order__number", "to"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LowStockAlert)
class LowStockAlertAdmin(admin.ModelAdmin):
    list_display = ["stock", "day", "quantity_available", "created_at"]
    list_filter = [("day", DateRangeFilter)]
    list_select_related = ["stock__variant__product", "stock__warehouse"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LowStockAlert]:
        # The alerts of the stock the user sees: partner staff, their warehouses only.
        stocks = stocks_visible_to(request.user, Stock.objects.all())
        return super().get_queryset(request).filter(stock__in=stocks.values("pk"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

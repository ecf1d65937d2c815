"""Orders in the admin: everything that happened to an order, its payments and refunds
included, with money read-only. With the payments, as its refund action refunds what is
left through the payment provider (registered by shop/payments/admin.py).

Status and money change only through the order and payment services.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from shop.core.errors import ShopError
from shop.orders.models import Order, OrderEvent, OrderLine
from shop.payments.models import Payment, PaymentStatus, Refund
from shop.payments.refunds import refund_create

_ORDER_LINE_FIELDS: tuple[str, ...] = (
    "sku",
    "product_name",
    "variant_name",
    "quantity",
    "quantity_refunded",
    "unit_price",
    "line_total",
    "personalisation",
)

_ORDER_EVENT_FIELDS: tuple[str, ...] = (
    "created_at",
    "type",
    "from_status",
    "to_status",
    "data",
    "user",
)

_PAYMENT_FIELDS: tuple[str, ...] = (
    "provider",
    "provider_reference",
    "status",
    "amount",
    "amount_refunded",
    "fee",
    "failure_code",
    "succeeded_at",
)

_REFUND_FIELDS: tuple[str, ...] = (
    "amount",
    "status",
    "reason",
    "provider_reference",
    "created_by",
    "created_at",
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OrderLineInline(_ReadOnlyInline):
    model = OrderLine
    fields = _ORDER_LINE_FIELDS
    readonly_fields = _ORDER_LINE_FIELDS


class OrderEventInline(_ReadOnlyInline):
    model = OrderEvent
    fields = _ORDER_EVENT_FIELDS
    readonly_fields = _ORDER_EVENT_FIELDS


class PaymentInline(_ReadOnlyInline):
    model = Payment
    fields = _PAYMENT_FIELDS
    readonly_fields = _PAYMENT_FIELDS


class RefundInline(_ReadOnlyInline):
    model = Refund
    fk_name = "order"
    fields = _REFUND_FIELDS
    readonly_fields = _REFUND_FIELDS


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "status",
        "channel",
        "email",
        "total",
        "amount_paid",
        "amount_refunded",
        "created_at",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["number", "email"]
    date_hierarchy = "created_at"
    list_select_related = ["channel"]
    inlines = [OrderLineInline, PaymentInline, RefundInline, OrderEventInline]
    actions = ["refund_remaining"]
    readonly_fields = [
        "number",
        "channel",
        "user",
        "cart",
        "idempotency_key",
        "status",
        "email",
        "phone",
        "shipping_address",
        "shipping_method",
        "shipping_method_name",
        "voucher_code",
        "language",
        "currency",
        "subtotal",
        "shipping_price",
        "discount",
        "total",
        "amount_paid",
        "amount_refunded",
        "expires_at",
        "paid_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Refund what is left of the payment (through the provider)")
    def refund_remaining(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        for order in queryset:
            payment = order.payments.filter(status=PaymentStatus.SUCCEEDED).first()
            remaining = payment.amount - payment.amount_refunded if payment else Decimal(0)
            if not remaining:
                self.message_user(request, f"{order}: nothing left to refund.", messages.WARNING)
                continue
            try:
                refund = refund_create(
                    order=order, amount=remaining, reason="refunded in the admin", user=request.user
                )
            except ShopError as exc:
                self.message_user(request, f"{order}: {exc.message}", messages.ERROR)
                continue
            self.message_user(
                request, f"{order}: refunded {refund.amount} ({refund.status}).", messages.SUCCESS
            )

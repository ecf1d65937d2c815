"""Orders in the admin: everything that happened to an order, its payments and refunds
included, with money read-only. With the payments, as its refund action refunds what is
left through the payment provider (registered by shop/payments/admin.py).

Status and money change only through the order and payment services.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rangefilter.filters import DateRangeFilter

from shop.core.errors import ShopError
from shop.core.permissions import user_partner_id
from shop.orders.models import Order, OrderEvent, OrderLine
from shop.orders.staff_selectors import orders_for_staff
from shop.payments.models import Payment, PaymentStatus, Refund
from shop.payments.refunds import order_shipping_refundable, refund_create

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
    "from_status_label",
    "to_status_label",
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
    "fee_returned",
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
    # Only the channels of orders the user sees: no other partner's names.
    list_filter = [
        "status",
        ("channel", admin.RelatedOnlyFieldListFilter),
        ("created_at", DateRangeFilter),
        ("paid_at", DateRangeFilter),
    ]
    search_fields = ["number", "email"]
    date_hierarchy = "created_at"
    list_select_related = ["channel"]
    inlines = [OrderLineInline, PaymentInline, RefundInline, OrderEventInline]
    actions = ["refund_remaining", "refund_shipping"]
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return orders_for_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_refund_permission(self, request: HttpRequest) -> bool:
        # As the staff API: staff who belong to no partner read orders but refund none.
        user = request.user
        return bool(
            user.is_superuser
            or (user_partner_id(user) is not None and self.has_change_permission(request))
        )

    @admin.action(
        description=gettext_lazy("Refund what is left of the payment (through the provider)"),
        permissions=["refund"],
    )
    def refund_remaining(self, request: HttpRequest, queryset: QuerySet[Order]):
        """First a page listing the orders and what each gets back; refunds only once the
        staff member confirms it there."""
        orders = list(queryset.order_by("number"))
        if request.POST.get("confirmed") != "yes":
            return self._refund_confirmation(request, orders)
        for order in orders:
            self._refund_one(request, order)
        return None

    @admin.action(
        description=gettext_lazy("Refund the shipping charge alone (through the provider)"),
        permissions=["refund"],
    )
    def refund_shipping(self, request: HttpRequest, queryset: QuerySet[Order]):
        """As refund_remaining, for what is left of each order's shipping charge: the
        partners' ledger moves only the shipping income for it."""
        orders = list(queryset.order_by("number"))
        if request.POST.get("confirmed") != "yes":
            return self._refund_confirmation(request, orders, shipping=True)
        for order in orders:
            self._refund_one(request, order, shipping=True)
        return None

    def _refund_confirmation(
        self, request: HttpRequest, orders: list[Order], shipping: bool = False
    ) -> TemplateResponse:
        amount_of = order_shipping_refundable if shipping else order_refundable_amount
        rows = [(order, amount_of(order)) for order in orders]
        title = (
            _("Refund the shipping charge of these orders?")
            if shipping
            else _("Refund what is left of these orders?")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "shipping": shipping,
            "action": "refund_shipping" if shipping else "refund_remaining",
            "opts": self.model._meta,
            "rows": rows,
            "total": sum((amount for _order, amount in rows), Decimal(0)),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/order/refund_remaining.html", context)

    def _refund_one(self, request: HttpRequest, order: Order, shipping: bool = False) -> None:
        remaining = order_shipping_refundable(order) if shipping else order_refundable_amount(order)
        if not remaining:
            message = _("%(order)s: nothing left to refund.") % {"order": order}
            self.message_user(request, message, messages.WARNING)
            return
        try:
            refund = refund_create(
                order=order,
                amount=remaining,
                reason="shipping refunded in the admin" if shipping else "refunded in the admin",
                user=request.user,
                shipping=shipping,
            )
        except ShopError as exc:
            self.message_user(request, f"{order}: {exc.message}", messages.ERROR)
            return
        self.message_user(
            request,
            _("%(order)s: refunded %(amount)s (%(status)s).")
            % {"order": order, "amount": refund.amount, "status": refund.get_status_display()},
            messages.SUCCESS,
        )


def order_refundable_amount(order: Order) -> Decimal:
    """What is left of the order's payment to refund, as the refund action sends it."""
    payment = order.payments.filter(status=PaymentStatus.SUCCEEDED).first()
    return payment.amount - payment.amount_refunded if payment else Decimal(0)

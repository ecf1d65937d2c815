"""Payments, refunds and provider events in the admin: read-only, as the provider saw them.

Refunds are made from the order (an action on the orders list, or the staff API),
so they always go through the provider. A payment held for review (the provider
confirmed another amount or currency) is settled here with the two review actions, or
through the staff API; filter the list by status "Held for review" to find them.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rangefilter.filters import DateRangeFilter

from shop.core.errors import ShopError
from shop.core.permissions import user_partner_id
from shop.orders.staff_selectors import orders_for_staff
from shop.payments import bill_admin as bill_admin  # the daily reconciliation
from shop.payments import order_admin as order_admin  # the orders' admin, with their payments
from shop.payments.models import Payment, Refund, WebhookEvent
from shop.payments.review import ACCEPT, RETURN, payment_review_resolve


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OrderRowsAdmin(ReadOnlyAdmin):
    """Rows of the orders the user sees (shop.orders.staff_selectors), never edited here."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        orders = orders_for_staff(request.user).order_by().values("pk")
        return super().get_queryset(request).filter(order__in=orders)


@admin.register(Payment)
class PaymentAdmin(OrderRowsAdmin):
    list_display = [
        "id",
        "order",
        "provider",
        "provider_reference",
        "status",
        "amount",
        "confirmed_amount",
        "confirmed_currency",
        "amount_refunded",
        "fee",
        "failure_code",
        "created_at",
    ]
    list_filter = ["status", "provider", "confirmed_status", ("created_at", DateRangeFilter)]
    search_fields = ["order__number", "provider_reference", "order__email"]
    list_select_related = ["order"]
    exclude = ["client_secret"]
    actions = ["review_accept", "review_return"]

    def has_review_permission(self, request: HttpRequest) -> bool:
        # As the staff API: superusers and partner staff (on the orders they see) decide.
        return bool(request.user.is_superuser or user_partner_id(request.user) is not None)

    @admin.action(
        description=_("Accept the payment held for review (pays the order if it is whole)"),
        permissions=["review"],
    )
    def review_accept(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        self._review(request, queryset, ACCEPT)

    @admin.action(
        description=_("Return the payment held for review (refund in full)"),
        permissions=["review"],
    )
    def review_return(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        self._review(request, queryset, RETURN)

    def _review(self, request: HttpRequest, queryset: QuerySet[Payment], decision: str) -> None:
        for payment in queryset.order_by("pk"):
            try:
                settled = payment_review_resolve(
                    payment_id=payment.pk, decision=decision, user=request.user
                )
            except ShopError as exc:
                self.message_user(request, f"{payment}: {exc.message}", messages.ERROR)
                continue
            self.message_user(
                request,
                _("Payment %(payment)s is now %(status)s; its order is %(order_status)s.")
                % {
                    "payment": settled.pk,
                    "status": settled.get_status_display(),
                    "order_status": settled.order.get_status_display(),
                },
                messages.SUCCESS,
            )


@admin.register(Refund)
class RefundAdmin(OrderRowsAdmin):
    list_display = [
        "id",
        "order",
        "payment",
        "amount",
        "fee_returned",
        "status",
        "confirmed_status",
        "reason",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "confirmed_status", ("created_at", DateRangeFilter)]
    search_fields = ["order__number", "provider_reference"]
    list_select_related = ["order", "payment", "created_by"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "provider", "type", "received_at", "processed_at"]
    list_filter = ["provider", "type", ("received_at", DateRangeFilter)]
    search_fields = ["event_id"]

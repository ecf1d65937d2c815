"""Payments, refunds and provider events in the admin: read-only, as the provider saw them.

Refunds are made from the order (an action on the orders list, or the staff API),
so they always go through the provider.
"""

from django.contrib import admin
from django.http import HttpRequest

from shop.payments.models import Payment, Refund, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "order",
        "provider",
        "provider_reference",
        "status",
        "amount",
        "amount_refunded",
        "fee",
        "created_at",
    ]
    list_filter = ["provider", "status"]
    search_fields = ["order__number", "provider_reference", "order__email"]
    list_select_related = ["order"]
    exclude = ["client_secret"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "payment", "amount", "status", "reason", "created_by"]
    list_filter = ["status"]
    search_fields = ["order__number", "provider_reference"]
    list_select_related = ["order", "payment", "created_by"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "provider", "type", "received_at", "processed_at"]
    list_filter = ["provider", "type"]
    search_fields = ["event_id"]

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shop.channels.models import LivestreamDrop, SalesChannel
from shop.channels.services import channel_api_key_issue
from shop.core.history_admin import HistoryAdmin


@admin.register(SalesChannel)
class SalesChannelAdmin(HistoryAdmin):
    list_display = [
        "code",
        "name_en",
        "name_zh",
        "kind",
        "owner",
        "commission_rate",
        "is_active",
        "is_public",
    ]
    list_filter = ["kind", "owner", "is_active", "is_public"]
    search_fields = ["code", "name_en", "name_zh"]
    readonly_fields = ["api_key_prefix", "created_at", "updated_at"]
    actions = ["issue_new_key"]

    def save_model(self, request: HttpRequest, obj: SalesChannel, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            issued = channel_api_key_issue(channel=obj)
            self.message_user(
                request,
                _("Storefront key for %(code)s (shown once, store it now): %(key)s")
                % {"code": obj.code, "key": issued.key},
                messages.WARNING,
            )

    @admin.action(description=_("Issue a new storefront key (the old one stops working)"))
    def issue_new_key(self, request: HttpRequest, queryset) -> None:
        for channel in queryset:
            issued = channel_api_key_issue(channel=channel)
            self.message_user(
                request,
                _("New key for %(code)s (shown once): %(key)s")
                % {"code": channel.code, "key": issued.key},
                messages.WARNING,
            )


@admin.register(LivestreamDrop)
class LivestreamDropAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "channel", "starts_at", "ends_at"]
    list_filter = ["channel"]
    search_fields = ["code", "name_en", "name_zh", "variants__sku"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["variants"]

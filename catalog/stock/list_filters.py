"""The stock pages' list filters in the admin: the stock level, and the warehouses and
partners a user may filter by (partner staff, their own only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from catalog.models import Warehouse
from catalog.permissions import user_stock_partner_id


class LowStockFilter(admin.SimpleListFilter):
    title = _("stock level")
    parameter_name = "level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("low", _("At or below threshold")), ("ok", _("Above threshold"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        low = Q(available__lte=F("low_stock_threshold"))
        if self.value() == "low":
            return queryset.filter(low)
        if self.value() == "ok":
            return queryset.exclude(low)
        return queryset


class OwnWarehouseFilter(admin.RelatedOnlyFieldListFilter):
    """The warehouses on the rows the user sees, and of those, for partner staff, only
    their own: a transfer from the other partner shows its movement, not a filter by the
    other partner's warehouse."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        choices = super().field_choices(field, request, model_admin)
        partner_id = user_stock_partner_id(request.user)
        if partner_id is None:
            return choices
        own = set(Warehouse.objects.filter(partner_id=partner_id).values_list("pk", flat=True))
        return [(pk, label) for pk, label in choices if pk in own]


class OwnPartnerFilter(admin.RelatedOnlyFieldListFilter):
    """The partners on the rows the user sees; partner staff, their own partner only."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        choices = super().field_choices(field, request, model_admin)
        partner_id = user_stock_partner_id(request.user)
        if partner_id is None:
            return choices
        return [(pk, label) for pk, label in choices if pk == partner_id]

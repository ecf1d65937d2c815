"""Admin for partner money: agreements and their versions, the ledger, settlements.

Versions are added through :func:`agreement_version_create` and never edited; the
ledger is read only; settlements close only through :func:`settlement_close`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from partners.models import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    LedgerEntry,
    Partner,
    Settlement,
    SettlementEvent,
    SettlementLine,
)
from partners.services import PartyInput, agreement_version_create, agreement_version_validate
from partners.settlements import settlement_close
from shop.core.errors import ShopError


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionInline(ReadOnlyInline):
    model = AgreementVersion
    fields = (
        "number",
        "valid_from",
        "logistics_fee",
        "logistics_partner",
        "payment_fee_bearer",
    )
    readonly_fields = fields
    show_change_link = True


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "collection", "product", "valid_until"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["product"]
    inlines = [VersionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # What an agreement covers is fixed once it exists; its terms change by versions.
        return ["collection", "product"] if obj else []


class PartyInline(ReadOnlyInline):
    model = AgreementParty
    fields = ("partner", "role", "share_bp")
    readonly_fields = fields


class VersionAddForm(forms.ModelForm):
    parties_text = forms.CharField(
        label="Parties",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One party a line: partner code, role, basis points; e.g. 'museum licensor "
        "6000'. The shares add up to 10000.",
    )

    class Meta:
        model = AgreementVersion
        fields = [
            "agreement",
            "valid_from",
            "logistics_fee",
            "logistics_partner",
            "payment_fee_bearer",
            "refund_policy",
            "note",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parties = []
        for raw in (data.get("parties_text") or "").splitlines():
            if not raw.strip():
                continue
            try:
                code, role, share = raw.split()
                partner = Partner.objects.get(code=code)
                parties.append(PartyInput(partner, role, int(share)))
            except (ValueError, Partner.DoesNotExist) as exc:
                raise ValidationError({"parties_text": f"Cannot read {raw!r}."}) from exc
        data["parties"] = parties
        if data.get("agreement") and data.get("valid_from"):
            try:
                agreement_version_validate(
                    agreement=data["agreement"],
                    valid_from=data["valid_from"],
                    parties=parties,
                    logistics_fee=data.get("logistics_fee") or Decimal("0.00"),
                    payment_fee_bearer=data.get("payment_fee_bearer") or "",
                    refund_policy=data.get("refund_policy") or "",
                )
            except ShopError as exc:
                problems = [m for messages_ in exc.fields.values() for m in messages_]
                raise ValidationError(problems or exc.message) from exc
        return data


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    list_display = ["agreement", "number", "valid_from", "logistics_fee", "payment_fee_bearer"]
    list_filter = ["agreement"]
    inlines = [PartyInline]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = VersionAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return [f.name for f in AgreementVersion._meta.fields]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return [PartyInline] if obj else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        version = agreement_version_create(
            agreement=data["agreement"],
            valid_from=data["valid_from"],
            parties=data["parties"],
            logistics_fee=data["logistics_fee"],
            logistics_partner=data.get("logistics_partner"),
            payment_fee_bearer=data["payment_fee_bearer"],
            refund_policy=data["refund_policy"],
            note=data.get("note") or "",
            user=request.user,
        )
        obj.pk = version.pk
        obj.number = version.number

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service wrote the parties with the version."""


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: nobody adds, edits or deletes an entry here."""

    list_display = ["occurred_at", "partner", "kind", "role", "amount", "order", "period"]
    list_filter = ["partner", "kind", "period"]
    search_fields = ["order__number", "source"]
    list_select_related = ["partner", "order"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SettlementLineInline(ReadOnlyInline):
    model = SettlementLine
    fields = (
        "order_number",
        "gross",
        "commissions",
        "refunds",
        "logistics_fees",
        "payment_fees",
        "net",
    )
    readonly_fields = fields


class SettlementEventInline(ReadOnlyInline):
    model = SettlementEvent
    fields = ("created_at", "type", "data")
    readonly_fields = fields


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin):
    list_display = ["partner", "period", "status", "net", "transfer_status", "closed_at"]
    list_filter = ["status", "partner", "transfer_status"]
    inlines = [SettlementLineInline, SettlementEventInline]
    actions = ["close_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Settlement._meta.fields] + ["statements"]

    @admin.display(description="Statements")
    def statements(self, obj: Settlement) -> str:
        return format_html_join(
            " · ",
            '<a href="{}?partner={}">{}</a>',
            (
                (
                    reverse("partners_dashboard:statement", args=[obj.pk, fmt]),
                    obj.partner.code,
                    fmt.upper(),
                )
                for fmt in ("csv", "xlsx", "pdf")
            ),
        ) or format_html("")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Close the selected settlements (months that are over)")
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Settlement]) -> None:
        closed = 0
        for settlement_id in queryset.order_by("period").values_list("pk", flat=True):
            try:
                settlement_close(settlement_id=settlement_id, user=request.user)
                closed += 1
            except ShopError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        self.message_user(request, f"{closed} settlement(s) closed.")

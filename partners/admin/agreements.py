"""Agreements and their versions in the admin: versions are added through
:func:`partners.agreements.agreement_version_create` and never edited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from partners.admin.inlines import ReadOnlyInline
from partners.agreements import PartyInput, agreement_version_create, agreement_version_validate
from partners.models import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    Partner,
)
from shop.core.errors import ShopError
from shop.core.history_admin import HistoryAdmin


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
class AgreementAdmin(HistoryAdmin):
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
        label=_("Parties"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One party a line: partner code, role, basis points; e.g. 'museum licensor "
            "6000'. The shares add up to 10000."
        ),
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
                raise ValidationError(
                    {"parties_text": _("Cannot read %(line)r.") % {"line": raw}}
                ) from exc
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
class AgreementVersionAdmin(HistoryAdmin):
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

"""Fapiao requests in the admin: staff see the requests of the orders they handle, attach
the issued fapiao's file and number, and so mark it issued (through fapiao_issue)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shop.orders.fapiao.models import FapiaoRequest
from shop.orders.fapiao.services import fapiao_issue
from shop.orders.staff_selectors import orders_for_staff


class FapiaoIssueForm(forms.ModelForm):
    upload = forms.FileField(label=_("Issued fapiao (PDF, OFD or XML)"), required=False)

    class Meta:
        model = FapiaoRequest
        fields = ["fapiao_number"]


@admin.register(FapiaoRequest)
class FapiaoRequestAdmin(admin.ModelAdmin):
    form = FapiaoIssueForm
    list_display = ["order", "title_type", "title", "tax_number", "status", "created_at"]
    list_filter = ["status", "title_type"]
    search_fields = ["order__number", "title", "tax_number"]
    readonly_fields = [
        "order",
        "title_type",
        "title",
        "tax_number",
        "status",
        "issued_at",
        "issued_by",
        "file_name",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FapiaoRequest]:
        orders = orders_for_staff(request.user)
        return super().get_queryset(request).filter(order__in=orders).defer("file_content")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # shoppers ask for a fapiao; staff issue it

    def save_model(self, request: HttpRequest, obj: FapiaoRequest, form: Any, change: bool) -> None:
        upload = form.cleaned_data.get("upload")
        if upload is None:
            return
        fapiao_issue(
            order=obj.order,
            fapiao_number=form.cleaned_data.get("fapiao_number", ""),
            upload=upload,
            user=request.user,
        )

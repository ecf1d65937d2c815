"""The admin's transfer page: partner staff send free units from a warehouse they run to
another warehouse, their own or the other partner's (with a reason), through
:func:`catalog.stock.services.stock_transfer`. Both partners then find the transfer's two
movements in the stock movements list (catalog.permissions.movements_visible_to).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Stock, Warehouse
from catalog.permissions import stocks_visible_to, user_stock_partner_id, warehouse_manage_check
from catalog.stock.services import stock_transfer
from shop.core.errors import ShopError


class StockChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(sku)s in %(warehouse)s (%(count)s free)") % {
            "sku": obj.variant.sku,
            "warehouse": obj.warehouse,
            "count": obj.quantity_available,
        }


class StockTransferForm(forms.Form):
    source = StockChoiceField(queryset=Stock.objects.none(), label=gettext_lazy("Units from"))
    to_warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.filter(is_active=True).order_by("code"),
        label=gettext_lazy("To warehouse"),
    )
    quantity = forms.IntegerField(min_value=1, label=gettext_lazy("Units"))
    reason = forms.CharField(max_length=400, label=gettext_lazy("Reason"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Units leave only warehouses the user manages (staff of no partner manage none).
        stocks = stocks_visible_to(user, Stock.objects.all())
        partner_id = user_stock_partner_id(user)
        if partner_id is not None:
            stocks = stocks.filter(warehouse__partner_id=partner_id)
        elif not user.is_superuser:
            stocks = stocks.none()
        field = self.fields["source"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = stocks.select_related("variant", "warehouse").order_by(
            "variant__sku", "warehouse__code"
        )


def stock_transfer_view(
    model_admin: admin.ModelAdmin, request: HttpRequest
) -> HttpResponse | TemplateResponse:
    """The form, and on a valid post the transfer, then the transfer's movements."""
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    form = StockTransferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source: Stock = data["source"]
        try:
            warehouse_manage_check(request.user, source.warehouse)
            transfer = stock_transfer(
                variant=source.variant,
                from_warehouse=source.warehouse,
                to_warehouse=data["to_warehouse"],
                quantity=data["quantity"],
                user=request.user,
                reason=data["reason"],
            )
        except ShopError as exc:
            form.add_error(None, str(exc.message))
            for field, texts in exc.fields.items():
                form.add_error(field if field in form.fields else None, [str(t) for t in texts])
        else:
            messages.success(
                request, _("Transfer %(reference)s done.") % {"reference": transfer.reference}
            )
            query = urlencode({"q": transfer.reference})
            return HttpResponseRedirect(
                f"{reverse('admin:catalog_stockmovement_changelist')}?{query}"
            )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Transfer units between warehouses"),
        "opts": model_admin.model._meta,
        "form": form,
    }
    return TemplateResponse(request, "admin/catalog/stock/transfer.html", context)

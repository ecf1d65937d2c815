"""An account's orders as personal data (PIPL): guest orders joining the account that
proved their e-mail or number, the orders in the data a shopper downloads, and the
orders of a deleted account kept for accounting with the person taken out."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from shop.orders.fapiao.models import FapiaoRequest, FapiaoTitleType
from shop.orders.models import Order, OrderEvent
from shop.orders.serializers import order_output


def _phone_forms(phone: str) -> list[str]:
    return [phone, f"+86{phone}", f"86{phone}", f"+86 {phone}"]


@transaction.atomic
def orders_attach_to_account(*, user: Any, email: str = "", phone: str = "") -> int:
    """Guest orders placed with the verified ``email`` or ``phone`` join ``user``."""
    match = Q(pk__in=[])
    if email:
        match |= Q(email__iexact=email)
    if phone:
        match |= Q(phone__in=_phone_forms(phone))
    return Order.objects.filter(match, user__isnull=True).update(user=user)


def orders_personal_data(*, user: Any) -> list[dict[str, Any]]:
    orders = Order.objects.filter(user=user).select_related("channel").order_by("created_at")
    data = []
    for order in orders.prefetch_related("lines", "events"):
        row = order_output(order, "zh", include_contact=True)
        fapiao = FapiaoRequest.objects.filter(order=order).defer("file_content").first()
        if fapiao is not None:
            row["fapiao"] = {
                "title_type": fapiao.title_type,
                "title": fapiao.title,
                "tax_number": fapiao.tax_number,
                "status": fapiao.status,
            }
        data.append(row)
    return data


@transaction.atomic
def orders_anonymise_for_account(*, user: Any) -> int:
    """The account's orders lose their person (contact, address, note, who acted, a
    personal fapiao's name) and their link to the account; lines, money, events and a
    company's fapiao stay for accounting."""
    orders = Order.objects.filter(user=user)
    ids = list(orders.values_list("pk", flat=True))
    FapiaoRequest.objects.filter(order_id__in=ids, title_type=FapiaoTitleType.PERSONAL).update(
        title="(deleted)"
    )
    OrderEvent.objects.filter(order_id__in=ids, user=user).update(user=None)
    return Order.objects.filter(pk__in=ids).update(
        user=None, email="", phone="", shipping_address={}, note=""
    )

"""The e-mails a shopper receives about an order, in the order's language (Chinese or English).

Sending is idempotent: each e-mail is recorded as an :class:`OrderEmail` row whose key
(the kind, plus the refund for refund e-mails) is unique per order. The row is written
in the same transaction as the send, so a send that fails leaves no row and is retried,
and two workers sending at once cannot both send: the second waits on the unique
index and then finds the row.
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy

from fulfillment.models import OrderEmail, ShipmentStatus
from shop.core.kept_statements import ID_FIELD, KeptStatement, Slot
from shop.orders.fapiao.links import fapiao_link
from shop.orders.fapiao.models import FapiaoRequest, FapiaoStatus
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderLine, OrderStatus
from shop.orders.services import order_event_write
from shop.orders.state import PAID_STATUSES

logger = logging.getLogger(__name__)

EMAIL_KINDS = (
    "order_confirmation",
    "payment_received",
    "shipped",
    "delivered",
    "refund_issued",
    "fapiao_issued",
)
# The kinds written once with gettext (English message ids, their Chinese in the .po),
# rendered in the order's language from one template: their subjects.
TRANSLATED_SUBJECTS = {
    "fapiao_issued": gettext_lazy("Your fapiao for order %(number)s is ready"),
}
SUBJECTS = {
    "order_confirmation": {"zh": "订单 {number} 已提交", "en": "Order {number} received"},
    "payment_received": {"zh": "订单 {number} 付款成功", "en": "Payment received for {number}"},
    "shipped": {"zh": "订单 {number} 已发货", "en": "Order {number} has shipped"},
    "delivered": {"zh": "订单 {number} 已签收", "en": "Order {number} delivered"},
    "refund_issued": {"zh": "订单 {number} 退款已完成", "en": "Refund issued for {number}"},
}


class UnknownEmailKind(ValueError):
    pass


def email_language(order: Order) -> str:
    return "en" if (order.language or "").lower().startswith("en") else "zh"


def _django_language(lang: str) -> str:
    return "en" if lang == "en" else "zh-hans"


def order_tracking_url(order: Order) -> str:
    base = settings.SHOP_PUBLIC_URL.rstrip("/")
    return f"{base}/api/v1/orders/{order.number}/tracking/?{urlencode({'email': order.email})}"


# An e-mail's reads have one shape for every order: kept compiled (once per connection).


@functools.cache
def _order_lines() -> KeptStatement[dict[str, Any]]:
    """What an e-mail lists of the order's lines, in the order they were bought."""
    lines: QuerySet[OrderLine, Any] = (
        OrderLine.objects.filter(order_id=Slot("order_id", ID_FIELD))
        .order_by("id")
        .values("product_name", "variant_name", "sku", "quantity", "unit_price")
    )
    return KeptStatement(lines)


def _context(order: Order, kind: str, lang: str, refund: Any) -> dict[str, Any]:
    address = order.shipping_address or {}
    lines = [
        {
            "name": line["product_name"]
            + (f" {line['variant_name']}" if line["variant_name"] and lang == "zh" else ""),
            "sku": line["sku"],
            "quantity": line["quantity"],
            "unit_price": line["unit_price"],
        }
        for line in _order_lines().rows(order_id=order.pk)
    ]
    shipments = (
        [  # only the shipped e-mail lists the parcels
            {"carrier": shipment.get_carrier_display(), "waybill_number": shipment.waybill_number}
            for shipment in order.shipments.exclude(status=ShipmentStatus.CANCELLED)
            .exclude(waybill_number="")
            .order_by("id")
            .only("carrier", "waybill_number")
        ]
        if kind == "shipped"
        else []
    )
    default_name = "顾客" if lang == "zh" else "customer"
    return {
        "lang": lang,
        "name": address.get("name") or default_name,
        "number": order.number or order.pk,
        "total": order.total,
        "amount_paid": order.amount_paid,
        "paid": order.paid_at is not None,
        "lines": lines,
        "shipments": shipments,
        "tracking_url": order_tracking_url(order),
        "return_window_days": settings.SHOP_RETURN_WINDOW_DAYS,
        "refund_amount": refund.amount if refund is not None else Decimal("0.00"),
        "shop_url": settings.SHOP_PUBLIC_URL,
    }


def _fapiao_context(order: Order) -> dict[str, Any]:
    fapiao = FapiaoRequest.objects.defer("file_content").select_related("order").get(order=order)
    return {
        "fapiao_number": fapiao.fapiao_number,
        "fapiao_title": fapiao.title,
        "fapiao_url": fapiao_link(fapiao),
        "fapiao_link_days": settings.FAPIAO_LINK_DAYS,
    }


def order_email_render(order: Order, kind: str, refund: Any = None) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one e-mail about ``order``."""
    if kind not in EMAIL_KINDS:
        raise UnknownEmailKind(f"No e-mail of kind {kind!r}.")
    lang = email_language(order)
    number = order.number or order.pk
    with translation.override(_django_language(lang)):
        if kind in TRANSLATED_SUBJECTS:
            subject = str(TRANSLATED_SUBJECTS[kind]) % {"number": number}
            folder = "fulfillment/emails"
        else:
            subject = SUBJECTS[kind][lang].format(number=number)
            folder = f"fulfillment/emails/{lang}"
        context = {**_context(order, kind, lang, refund), "subject": subject}
        if kind == "fapiao_issued":
            context.update(_fapiao_context(order))
        text = render_to_string(f"{folder}/{kind}.txt", context)
        html = render_to_string(f"{folder}/{kind}.html", context)
    return subject, text, html


_ONE_FOR_A_PAID_ORDER = ("order_confirmation", "payment_received")


def _fapiao_issued(order: Order) -> bool:
    return FapiaoRequest.objects.filter(order=order, status=FapiaoStatus.ISSUED).exists()


# What an e-mail reads of its order (the template's context, the recipient, the key).
_ORDER_FIELDS = (
    "number",
    "email",
    "language",
    "shipping_address",
    "total",
    "amount_paid",
    "paid_at",
)


@functools.cache
def _orders_with_sent(pair: bool) -> KeptStatement[Order]:
    """``_order_with_sent``'s statement, with ``sent_pair`` when ``pair``."""
    sent = OrderEmail.objects.filter(order_id=OuterRef("pk"))
    annotations = {"sent_key": Exists(sent.filter(key=Slot("key", CharField())))}
    if pair:
        annotations["sent_pair"] = Exists(sent.filter(key__in=_ONE_FOR_A_PAID_ORDER))
    return KeptStatement(
        Order.objects.only(*_ORDER_FIELDS)
        .annotate(**annotations)
        .filter(pk=Slot("order_id", ID_FIELD))
        .order_by()
    )


def _order_with_sent(order_id: int, kind: str, key: str) -> Order:
    """The order, narrow, with whether this e-mail was sent (``sent_key``) and, for the
    two a paid order gets once, whether either was (``sent_pair``): one statement."""
    return _orders_with_sent(kind in _ONE_FOR_A_PAID_ORDER).get(order_id=order_id, key=key)


def _keys_to_write(order: Order, kind: str, key: str) -> list[str]:
    """The keys this e-mail records, none when it was sent before. A paid order is told
    of its order and its payment once: the first of the two sent while it is paid (the
    confirmation then says it is paid) records both. A confirmation sent while it waited
    for payment asked to pay: the payment's e-mail still follows it."""
    if order.sent_key:  # type: ignore[attr-defined]
        return []
    paid = kind in _ONE_FOR_A_PAID_ORDER and order.paid_at is not None
    if paid and not order.sent_pair:  # type: ignore[attr-defined]
        return list(_ONE_FOR_A_PAID_ORDER)
    return [key]


def order_email_send(*, order_id: int, kind: str, refund_id: int | None = None) -> bool:
    """Send one e-mail about an order once; False when it was sent before.

    Mail-server failures propagate so the task can retry them.
    """
    if kind not in EMAIL_KINDS:
        raise UnknownEmailKind(f"No e-mail of kind {kind!r}.")
    key = kind if kind != "refund_issued" else f"{kind}:{refund_id}"
    order = _order_with_sent(order_id, kind, key)
    if not order.email:
        return False  # its person was erased (PIPL): nobody to write to
    if kind == "fapiao_issued" and not _fapiao_issued(order):
        logger.warning("fapiao e-mail for order %s: no issued fapiao", order_id)
        return False
    refund = None
    if kind == "refund_issued":
        from shop.payments.models import Refund

        refund = (
            Refund.objects.filter(pk=refund_id, order=order).first()
            if refund_id is not None
            else None
        )
        if refund is None:
            logger.warning("refund e-mail for order %s: no refund %s", order_id, refund_id)
            return False
    keys = _keys_to_write(order, kind, key)
    if not keys:
        return False
    subject, text, html = order_email_render(order, kind, refund)
    try:
        with transaction.atomic():
            # First, so that a second worker sending it at once waits here, then fails.
            OrderEmail.objects.bulk_create(
                OrderEmail(
                    order=order,
                    kind=kind,
                    key=one,
                    to=order.email,
                    language=email_language(order),
                    subject=subject[:200],
                )
                for one in keys
            )
            message = EmailMultiAlternatives(
                subject, text, settings.DEFAULT_FROM_EMAIL, [order.email]
            )
            message.attach_alternative(html, "text/html")
            message.send()
            order_event_write(
                order,
                OrderEventType.EMAIL_SENT,
                data={"kind": kind, "refund_id": refund.pk if refund is not None else None},
            )
    except IntegrityError:
        return False  # another worker sent it a moment ago: nothing of this one is kept
    return True


# An e-mail is owed for an event of its order: the event, not the order's last change,
# says when. The sweep catches up only on events of the last CATCH_UP_WINDOW: a shopper
# who hears nothing for hours is better served by the order page than by a late
# "please pay" e-mail, and bulk changes to old orders (an import, the demo data) never
# mail anyone.
CATCH_UP_WINDOW = timedelta(hours=2)
# Each kind: the event that owes it, and the order statuses in which it still makes sense
# (an order that expired unpaid is not confirmed late).
_OWED_BY_EVENT: dict[str, tuple[Q, tuple[str, ...]]] = {
    "order_confirmation": (
        Q(type=OrderEventType.PLACED),
        (OrderStatus.PENDING_PAYMENT, *PAID_STATUSES, OrderStatus.REFUNDED),
    ),
    "payment_received": (
        Q(type=OrderEventType.PAYMENT_SUCCEEDED),
        (*PAID_STATUSES, OrderStatus.REFUNDED),
    ),
    "shipped": (
        Q(type=OrderEventType.STATUS_CHANGED, to_status=OrderStatus.SHIPPED),
        (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED),
    ),
    "delivered": (
        Q(type=OrderEventType.STATUS_CHANGED, to_status=OrderStatus.DELIVERED),
        (OrderStatus.DELIVERED, OrderStatus.COMPLETED),
    ),
    # A fapiao is issued for an order in any state; the shopper is told whatever it is.
    "fapiao_issued": (Q(type=OrderEventType.FAPIAO_ISSUED), tuple(OrderStatus.values)),
}


def order_emails_owed(
    *, since: Any, before: Any, limit: int = 200
) -> list[tuple[int, str, int | None]]:
    """(order id, kind, refund id) of the e-mails owed for events between ``since`` and
    ``before`` that were never sent, at most one per order and kind."""
    from shop.payments.models import Refund, RefundStatus

    owed: list[tuple[int, str, int | None]] = []
    for kind, (event, statuses) in _OWED_BY_EVENT.items():
        ids = (
            OrderEvent.objects.filter(event, created_at__gte=since, created_at__lt=before)
            .filter(order__status__in=statuses)
            .exclude(order__emails__key=kind)
            .order_by("order_id")
            .values_list("order_id", flat=True)
            .distinct()[:limit]
        )
        owed.extend((order_id, kind, None) for order_id in ids)
    refunds = Refund.objects.filter(
        status=RefundStatus.SUCCEEDED, succeeded_at__gte=since, succeeded_at__lt=before
    ).values_list("pk", "order_id")[:limit]
    sent = set(
        OrderEmail.objects.filter(
            order_id__in=[order_id for _, order_id in refunds], kind="refund_issued"
        ).values_list("key", flat=True)
    )
    owed.extend(
        (order_id, "refund_issued", refund_id)
        for refund_id, order_id in refunds
        if f"refund_issued:{refund_id}" not in sent
    )
    return owed

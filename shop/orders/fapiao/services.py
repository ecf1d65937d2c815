"""Asking for a fapiao, issuing it, and handing its file to the shopper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.core.errors import InvalidInput
from shop.core.tasks import enqueue_on_commit
from shop.orders.fapiao.errors import (
    FapiaoAlreadyRequested,
    FapiaoNotAllowed,
    FapiaoNotFound,
    FapiaoNotIssued,
)
from shop.orders.fapiao.models import FapiaoRequest, FapiaoStatus, FapiaoTitleType
from shop.orders.fapiao.tax_numbers import tax_number_normalize, tax_number_valid
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.services import order_event_write

# Fapiao files are PDFs or OFDs of some hundred kB; anything far larger is a mistake.
FILE_MAX_BYTES = 5 * 1024 * 1024
FILE_TYPES = {"application/pdf", "application/ofd", "application/octet-stream", "application/xml"}
_CLOSED = {OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REFUNDED}


@dataclass(frozen=True)
class FapiaoTitle:
    """What the shopper asks to be printed on the fapiao."""

    title_type: str
    title: str
    tax_number: str = ""

    def checked(self, field_prefix: str = "") -> FapiaoTitle:
        """The title tidied, or InvalidInput naming ``field_prefix`` + the field."""
        tax_number = tax_number_normalize(self.tax_number)
        errors: dict[str, list[str]] = {}
        if not self.title.strip():
            errors["title"] = [_("The name printed on the fapiao is needed.")]
        if self.title_type == FapiaoTitleType.COMPANY and not tax_number:
            errors["tax_number"] = [_("A company fapiao needs the company's tax number.")]
        elif tax_number and not tax_number_valid(tax_number):
            errors["tax_number"] = [
                _("Not a valid taxpayer number (15, 18 or 20 characters with its check).")
            ]
        if errors:
            raise InvalidInput(fields={f"{field_prefix}{k}": v for k, v in errors.items()})
        return FapiaoTitle(self.title_type, self.title.strip(), tax_number)


@transaction.atomic
def fapiao_request(
    *, order: Order, title: FapiaoTitle, user: Any = None, field_prefix: str = ""
) -> FapiaoRequest:
    """Store the shopper's fapiao request with the order (one per order)."""
    title = title.checked(field_prefix)
    if order.status in _CLOSED:
        raise FapiaoNotAllowed()
    if FapiaoRequest.objects.filter(order=order).exists():
        raise FapiaoAlreadyRequested()
    try:
        with transaction.atomic():
            fapiao = FapiaoRequest.objects.create(
                order=order,
                title_type=title.title_type,
                title=title.title,
                tax_number=title.tax_number,
            )
    except IntegrityError as exc:
        raise FapiaoAlreadyRequested() from exc
    order_event_write(
        order, OrderEventType.FAPIAO_REQUESTED, data={"title_type": title.title_type}, user=user
    )
    return fapiao


@transaction.atomic
def fapiao_issue(
    *, order: Order, fapiao_number: str, upload: Any, user: Any = None
) -> FapiaoRequest:
    """Staff attach the issued fapiao's file, and the shopper is e-mailed a link to it;
    issuing again replaces the file (a red-letter correction is a new fapiao from the tax
    platform)."""
    fapiao = FapiaoRequest.objects.select_for_update().filter(order=order).first()
    if fapiao is None:
        raise FapiaoNotFound()
    if upload is None:
        raise InvalidInput(fields={"file": [_("Attach the fapiao's file.")]})
    if upload.size > FILE_MAX_BYTES:
        raise InvalidInput(fields={"file": [_("The file is larger than 5 MB.")]})
    content_type = (getattr(upload, "content_type", "") or "application/octet-stream").lower()
    if content_type not in FILE_TYPES:
        raise InvalidInput(fields={"file": [_("A fapiao is a PDF, OFD or XML file.")]})
    fapiao.file_content = upload.read()
    fapiao.file_name = (upload.name or "fapiao.pdf")[-100:]
    fapiao.file_type = content_type
    fapiao.fapiao_number = fapiao_number.strip()[:40]
    fapiao.status = FapiaoStatus.ISSUED
    fapiao.issued_at = timezone.now()
    fapiao.issued_by = user if getattr(user, "is_authenticated", False) else None
    fapiao.save()
    order_event_write(
        order, OrderEventType.FAPIAO_ISSUED, data={"fapiao_number": fapiao.fapiao_number}, user=user
    )
    # The shopper is told once, with a link to the file (issuing again replaces the file
    # the link opens); the e-mails' sweep sends it if the broker was away.
    enqueue_on_commit("fulfillment.order_email_send", order.pk, "fapiao_issued")
    return fapiao


def fapiao_for_order(order: Order) -> FapiaoRequest:
    fapiao = FapiaoRequest.objects.filter(order=order).defer("file_content").first()
    if fapiao is None:
        raise FapiaoNotFound()
    return fapiao


def fapiao_file(order: Order) -> FapiaoRequest:
    """The issued fapiao with its file, for download."""
    fapiao = FapiaoRequest.objects.filter(order=order).first()
    if fapiao is None:
        raise FapiaoNotFound()
    if fapiao.status != FapiaoStatus.ISSUED:
        raise FapiaoNotIssued()
    return fapiao

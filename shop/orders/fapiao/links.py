"""The download link in the e-mail that tells a shopper their fapiao is issued. It opens
the file without signing in (an account's order opens to no e-mail address), so it is
signed, names the order's fapiao request, opens the file issued last (staff issuing a
correction replace it), and works for ``FAPIAO_LINK_DAYS`` after the last issue."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.utils import timezone

from shop.orders.fapiao.errors import FapiaoLinkInvalid
from shop.orders.fapiao.models import FapiaoRequest, FapiaoStatus

_SALT = "shop.orders.fapiao.links"


def fapiao_link_token(fapiao: FapiaoRequest) -> str:
    return signing.dumps([fapiao.order.number, fapiao.pk], salt=_SALT)


def fapiao_link(fapiao: FapiaoRequest) -> str:
    base = settings.SHOP_PUBLIC_URL.rstrip("/")
    query = urlencode({"token": fapiao_link_token(fapiao)})
    return f"{base}/api/v1/orders/{fapiao.order.number}/fapiao/file/?{query}"


def fapiao_by_link(*, number: str, token: str, now: dt.datetime | None = None) -> FapiaoRequest:
    """The issued fapiao of order ``number`` with its file, if ``token`` is a live link to
    it; FapiaoLinkInvalid otherwise."""
    try:
        signed_number, fapiao_id = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise FapiaoLinkInvalid() from exc
    fapiao = (
        FapiaoRequest.objects.select_related("order")
        .filter(order__number=number, status=FapiaoStatus.ISSUED)
        .first()
    )
    now = now or timezone.now()
    if (
        signed_number != number
        or fapiao is None
        or fapiao.issued_at is None
        or fapiao.pk != fapiao_id
        or now > fapiao.issued_at + dt.timedelta(days=settings.FAPIAO_LINK_DAYS)
    ):
        raise FapiaoLinkInvalid()
    return fapiao

"""The rules a line must pass to be bought: in the channel, in its drop window, within the
customer's limit, personalised correctly, and in stock. Used when adding to a cart and
again, under lock, when the order is placed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Sum

from catalog.errors import InsufficientStock, SoldOut
from catalog.models import PersonalisationCharset, Product, ProductChannelListing, ProductVariant
from shop.channels.models import LivestreamDrop, SalesChannel
from shop.checkout.allocation import variant_available
from shop.checkout.errors import (
    DropNotOpen,
    LimitExceeded,
    NotAvailable,
    NotAvailableInChannel,
    PersonalisationInvalid,
)
from shop.orders.models import OrderLine
from shop.orders.state import ACTIVE_STATUSES

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CHARSETS = {
    PersonalisationCharset.HAN: re.compile(rf"^[{_HAN}]+$"),
    PersonalisationCharset.LATIN: re.compile(r"^[A-Za-z0-9 .'\-]+$"),
    PersonalisationCharset.HAN_LATIN: re.compile(rf"^[{_HAN}A-Za-z0-9 .'\-]+$"),
}


def variant_sellable_check(variant: ProductVariant, channel: SalesChannel, now: datetime) -> None:
    """Raise unless the variant can be bought in the channel at ``now``: active, its
    product listed and on sale in the channel, and inside the window of its drops (when it
    is in any)."""
    sellable_raise(variant, sellable_facts([variant], channel, now))


SellableFacts = dict[int, tuple[bool, bool, bool]]


def sellable_facts(
    variants: Sequence[ProductVariant], channel: SalesChannel, now: datetime
) -> SellableFacts:
    """For each variant id: (product listed and on sale in the channel now, in a drop,
    in a drop open now). One query for all of them."""
    listed = ProductChannelListing.objects.filter(
        product_id=OuterRef("product_id"), channel=channel, is_published=True
    ).filter(
        Q(available_from__isnull=True) | Q(available_from__lte=now),
        Q(available_until__isnull=True) | Q(available_until__gt=now),
    )
    drops = LivestreamDrop.objects.filter(channel=channel, variants=OuterRef("pk"))
    rows = (
        ProductVariant.objects.filter(pk__in={variant.pk for variant in variants})
        .annotate(
            listed=Exists(listed),
            in_drop=Exists(drops),
            drop_open=Exists(drops.filter(starts_at__lte=now, ends_at__gt=now)),
        )
        .values_list("pk", "listed", "in_drop", "drop_open")
    )
    return {pk: (is_listed, in_drop, drop_open) for pk, is_listed, in_drop, drop_open in rows}


def sellable_raise(variant: ProductVariant, facts: SellableFacts) -> None:
    """Raise unless the variant is active and, by ``facts``, on sale in the channel now."""
    if not (variant.is_active and variant.product.is_active):
        raise NotAvailable()
    is_listed, in_drop, drop_open = facts.get(variant.pk, (False, False, False))
    if not is_listed:
        raise NotAvailableInChannel()
    if in_drop and not drop_open:
        raise DropNotOpen()


def personalisation_check(product: Product, text: str) -> str:
    """Return the cleaned text; raise when the product does not take it or it breaks the rules."""
    text = " ".join(text.split())
    if not text:
        return ""
    if not product.personalisation_enabled:
        raise PersonalisationInvalid(
            "This product does not take a personalisation.",
            fields={"personalisation": ["Not accepted for this product."]},
        )
    max_length = product.personalisation_max_length or 0
    if len(text) > max_length:
        raise PersonalisationInvalid(
            f"At most {max_length} characters.",
            fields={"personalisation": [f"At most {max_length} characters."]},
        )
    pattern = _CHARSETS.get(product.personalisation_charset)  # type: ignore[call-overload]
    if pattern is None or not pattern.match(text):
        label = PersonalisationCharset(product.personalisation_charset).label
        raise PersonalisationInvalid(
            f"Only these characters are allowed: {label}.",
            fields={"personalisation": [f"Allowed: {label}."]},
        )
    return text


def customer_units_bought(product_id: int, *, user_id: int | None, email: str) -> int:
    """Units of a product in the customer's orders that are paid or awaiting payment."""
    who = Q()
    if user_id:
        who |= Q(order__user_id=user_id)
    if email:
        who |= Q(order__email__iexact=email)
    if not who:
        return 0
    total = (
        OrderLine.objects.filter(who, product_id=product_id, order__status__in=ACTIVE_STATUSES)
        .aggregate(units=Sum("quantity"))
        .get("units")
    )
    return int(total or 0)


def purchase_limit_check(product: Product, wanted: int, *, user_id: int | None, email: str) -> None:
    """``wanted`` is every unit of the product the customer is about to buy now."""
    if product.purchase_limit is None:
        return
    bought = customer_units_bought(product.pk, user_id=user_id, email=email)
    if bought + wanted > product.purchase_limit:
        left = max(product.purchase_limit - bought, 0)
        raise LimitExceeded(
            f"One customer may buy at most {product.purchase_limit} of this item"
            f" ({left} more for you).",
            fields={"quantity": [f"At most {left} more."]},
            limit=product.purchase_limit,
        )


def stock_check(variant: ProductVariant, wanted: int) -> None:
    available = variant_available(variant.pk)
    if available <= 0:
        raise SoldOut()
    if available < wanted:
        raise InsufficientStock(
            "Not enough units are left for this quantity.",
            fields={"quantity": ["Not enough units are left."]},
        )


def customer_lock(email: str, user_id: int | None) -> None:
    """Serialise checkouts of one customer so two tabs cannot both pass a purchase limit."""
    if connection.vendor != "postgresql":
        return  # SQLite runs one writer at a time anyway
    key = f"user:{user_id}" if user_id else f"email:{email.lower()}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])

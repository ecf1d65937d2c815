"""A livestream drop to sell out, what it sold, and the settlements the statement
scenarios download."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from bench.seed.world import DROP_ID_BASE, World


def drop_prepare(world: World, *, units: int, now: dt.datetime, code: str) -> str:
    """A limited edition of ``units`` in a livestream drop open now; returns its SKU."""
    from catalog.list_entries import list_entries_refresh
    from catalog.models import Product, ProductChannelListing, ProductVariant, Warehouse
    from catalog.stock.services import stock_receive
    from shop.channels.models import LivestreamDrop

    # Ids far above the bulk catalog's (which derives ids from its product numbers).
    product = Product.objects.create(
        id=DROP_ID_BASE + world.products,
        slug=f"drop-{code}",
        name_zh="直播限量版",
        name_en="Livestream limited edition",
        collection_id=world.collection_ids[0],
        edition_size=units,
        purchase_limit=1,
    )
    variant = ProductVariant.objects.create(
        id=2 * DROP_ID_BASE + world.products,
        product=product,
        sku=f"DROP-{code}".upper(),
        price=Decimal("1999.00"),
    )
    ProductChannelListing.objects.create(product=product, channel_id=world.live_channel_id)
    list_entries_refresh(product_ids=[product.pk])
    drop = LivestreamDrop.objects.create(
        channel_id=world.live_channel_id,
        code=f"drop-{code}",
        name_zh="直播专场",
        name_en="Livestream drop",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=2),
    )
    drop.variants.add(variant)
    stock_receive(
        variant=variant,
        warehouse=Warehouse.objects.get(pk=world.warehouse_ids[world.media_id]),
        quantity=units,
        batch_reference=f"drop {code}",
        user=None,
    )
    return variant.sku


def drop_outcome(sku: str) -> dict[str, int]:
    """Orders of the drop's SKU, those paid, and the units on hand and free."""
    from django.db.models import F, Sum

    from catalog.models import Stock
    from shop.orders.models import OrderLine
    from shop.payments.models import Payment, PaymentStatus

    stock = Stock.objects.filter(variant__sku=sku).aggregate(
        on_hand=Sum("quantity"), free=Sum(F("quantity") - F("quantity_reserved"))
    )
    orders = OrderLine.objects.filter(sku=sku).values("order_id").distinct().count()
    paid = (
        Payment.objects.filter(order__lines__sku=sku, status=PaymentStatus.SUCCEEDED)
        .values("order_id")
        .distinct()
        .count()
    )
    return {
        "orders": orders,
        "paid": paid,
        "on_hand": stock["on_hand"] or 0,
        "free": stock["free"] or 0,
    }


def statement_ids(world: World, now: dt.datetime) -> dict[str, int]:
    """The museum's settlement of last month (closed) and of this month (open)."""
    from partners.models import Settlement

    this_month = timezone.localtime(now).date().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    return {
        "closed": Settlement.objects.get(partner_id=world.museum_id, period=last_month).pk,
        "open": Settlement.objects.get(partner_id=world.museum_id, period=this_month).pk,
    }

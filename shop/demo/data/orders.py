"""Demo revenue-share agreements and a few months of demo orders, for a first ``make run``.

The orders are paid, most are shipped and some refunded, across every channel, and
their money goes through the same ledger hooks the selling code calls, so the
dashboard, the reports and the statements show real, reconciling figures. The
months that are over are closed. Everything can run again without changing
anything: an order already made (same channel and demo key) is skipped.

Demo orders do not hold stock: they are history, not work for the warehouses.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.models import Collection, ProductVariant, VariantChannelPrice, Warehouse
from fulfillment.emails import CATCH_UP_WINDOW
from partners.agreements import (
    PartyInput,
    agreement_create,
    agreement_version_create,
    order_lines_agreements_attach,
)
from partners.ledger.hooks import (
    ledger_payment_record,
    ledger_refund_record,
    ledger_shipment_fee_record,
)
from partners.models import Agreement, FeeBearer, Partner, RefundPolicy
from partners.settlements.closing import settlements_close_due
from partners.settlements.periods import month_previous
from shop.channels.models import SalesChannel
from shop.core.events import event_write
from shop.core.money import quantize
from shop.orders.lines import order_line_new
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderLine, OrderStatus
from shop.orders.numbers import order_number_new
from shop.payments.models import (
    FakeCharge,
    FakeChargeStatus,
    FakeRefund,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)

KEY_PREFIX = "demo-order-"
SHIPPING = Decimal("12.00")
FREE_SHIPPING_FROM = Decimal("299.00")
FEE_RATE = Decimal("0.006")  # what the card and wallet providers charge


@dataclass(frozen=True)
class DemoAgreement:
    collection: str
    parties: tuple[tuple[str, str, int], ...]
    logistics_fee: str
    logistics_partner: str | None = None
    payment_fee_bearer: str = FeeBearer.PARTIES
    refund_policy: str = RefundPolicy.MIRROR


AGREEMENTS = (
    DemoAgreement(
        "blossoms-of-wisdom",
        (("museum", "licensor", 5000), ("media", "designer", 3000), ("museum", "producer", 2000)),
        logistics_fee="6.00",
    ),
    DemoAgreement(
        "echoes-of-classics",
        (("museum", "licensor", 6000), ("media", "designer", 4000)),
        logistics_fee="8.00",
        payment_fee_bearer=FeeBearer.CHANNEL_OWNER,
    ),
    DemoAgreement(
        "fabrics-of-glory",
        (("museum", "licensor", 4000), ("media", "producer", 6000)),
        logistics_fee="7.50",
        logistics_partner="media",
        refund_policy=RefundPolicy.PARTIES,
    ),
)


def demo_agreements_load(*, valid_from: dt.date = dt.date(2024, 1, 1)) -> int:
    """The three collections' agreements, each with one version; returns how many were made."""
    partners = {p.code: p for p in Partner.objects.filter(code__in=["museum", "media"])}
    made = 0
    for spec in AGREEMENTS:
        collection = Collection.objects.filter(slug=spec.collection).first()
        if collection is None or len(partners) < 2:
            continue
        if Agreement.objects.filter(collection=collection).exists():
            continue
        agreement = agreement_create(
            code=f"{spec.collection}-2024",
            name_zh=f"{collection.name_zh} 合作分成协议",
            name_en=f"{collection.name_en} revenue-share agreement",
            collection=collection,
        )
        agreement_version_create(
            agreement=agreement,
            valid_from=valid_from,
            parties=[PartyInput(partners[code], role, bp) for code, role, bp in spec.parties],
            logistics_fee=Decimal(spec.logistics_fee),
            logistics_partner=partners.get(spec.logistics_partner or ""),
            payment_fee_bearer=spec.payment_fee_bearer,
            refund_policy=spec.refund_policy,
            note="Demo terms.",
            today=valid_from,
        )
        made += 1
    return made


def _price(variant: ProductVariant, channel: SalesChannel, prices: dict) -> Decimal:
    return prices.get((variant.pk, channel.pk), variant.price)


@transaction.atomic
def _order_make(
    *,
    key: str,
    channel: SalesChannel,
    items: list[tuple[ProductVariant, int, Decimal]],
    paid_at: dt.datetime,
    rng: random.Random,
    warehouses: list[Warehouse],
    now: dt.datetime,
) -> Order:
    order = _order_placed(key=key, channel=channel, items=items, paid_at=paid_at, rng=rng)
    payment = _order_paid(order, key=key, paid_at=paid_at)
    _order_history(order, payment, rng=rng, warehouses=warehouses, paid_at=paid_at, now=now)
    Order.objects.filter(pk=order.pk).update(
        status=order.status, amount_refunded=order.amount_refunded
    )
    return order


def _order_placed(
    *,
    key: str,
    channel: SalesChannel,
    items: list[tuple[ProductVariant, int, Decimal]],
    paid_at: dt.datetime,
    rng: random.Random,
) -> Order:
    """The paid order with its lines and agreements; about one in seven gets a tenth off."""
    subtotal = sum((price * qty for _, qty, price in items), Decimal("0.00"))
    shipping = Decimal("0.00") if subtotal >= FREE_SHIPPING_FROM else SHIPPING
    discount = quantize(subtotal * Decimal("0.10")) if rng.random() < 0.15 else Decimal("0.00")
    total = subtotal + shipping - discount
    order = Order.objects.create(
        channel=channel,
        idempotency_key=key,
        status=OrderStatus.PAID,
        email=f"{key}@demo.example.com",
        shipping_address={"country": "CN", "province": "北京市", "city": "北京市"},
        language="zh",
        subtotal=subtotal,
        shipping_price=shipping,
        discount=discount,
        total=total,
        amount_paid=total,
        paid_at=paid_at,
    )
    # Numbered like every order, on the day it was placed; the id is known only now.
    order.number = order_number_new(order_id=order.pk, day=timezone.localdate(paid_at))
    order.created_at = paid_at - dt.timedelta(minutes=3)
    Order.objects.filter(pk=order.pk).update(number=order.number, created_at=order.created_at)
    for variant, qty, price in items:
        order_line_new(
            order=order, variant=variant, quantity=qty, unit_price=price, language=order.language
        ).save()
    order_lines_agreements_attach(order=order)
    return order


def _order_paid(order: Order, *, key: str, paid_at: dt.datetime) -> Payment:
    """The order's succeeded payment, held by the offline provider and in the ledger."""
    payment = Payment.objects.create(
        order=order,
        provider="fake",
        provider_reference=f"fake-{key}",
        status=PaymentStatus.SUCCEEDED,
        amount=order.total,
        fee=quantize(order.total * FEE_RATE),
        succeeded_at=paid_at,
        confirmed_status=PaymentStatus.SUCCEEDED,
        confirmed_amount=order.total,
        confirmed_currency=order.currency,
        confirmed_at=paid_at,
    )
    # The offline provider holds the demo's payments too, so staff can refund them.
    FakeCharge.objects.create(
        reference=payment.provider_reference,
        amount=order.total,
        amount_received=order.total,
        status=FakeChargeStatus.SUCCEEDED,
    )
    ledger_payment_record(payment=payment)
    _event(order, OrderEventType.PAYMENT_SUCCEEDED, "pending_payment", "paid", paid_at)
    return payment


def _order_history(
    order: Order,
    payment: Payment,
    *,
    rng: random.Random,
    warehouses: list[Warehouse],
    paid_at: dt.datetime,
    now: dt.datetime,
) -> None:
    """What befell the paid order before ``now``: shipped, delivered, now and then refunded.
    Sets ``order.status`` and ``amount_refunded`` on the instance; the caller saves them."""
    shipped_at = paid_at + dt.timedelta(hours=rng.randint(6, 72))
    if shipped_at >= now:
        return
    warehouse = rng.choice(warehouses)
    _event(order, OrderEventType.STATUS_CHANGED, "paid", "shipped", shipped_at)
    order.status = OrderStatus.SHIPPED
    ledger_shipment_fee_record(
        shipment=SimpleNamespace(
            pk=f"demo-{order.pk}",
            order_id=order.pk,
            order=order,
            warehouse=warehouse,
            warehouse_id=warehouse.pk,
            shipped_at=shipped_at,
        )
    )
    delivered_at = shipped_at + dt.timedelta(days=2)
    if delivered_at >= now:
        return
    _event(order, OrderEventType.STATUS_CHANGED, "shipped", "delivered", delivered_at)
    order.status = OrderStatus.DELIVERED
    if rng.random() < 0.08:
        _refund(order, payment, rng, delivered_at + dt.timedelta(days=1), now)


def _refund(
    order: Order, payment: Payment, rng: random.Random, at: dt.datetime, now: dt.datetime
) -> None:
    if at >= now:
        return
    lines = list(OrderLine.objects.filter(order=order).order_by("id"))
    line = rng.choice(lines)
    full = len(lines) == 1 and line.quantity == 1
    amount = order.total if full else min(line.unit_price, order.total)
    refund = Refund.objects.create(
        payment=payment,
        order=order,
        amount=amount,
        status=RefundStatus.SUCCEEDED,
        reason="Demo: the shopper changed their mind.",
        lines=[{"line_id": line.pk, "quantity": 1}],
        succeeded_at=at,
        provider_reference=f"fake_re_demo_{payment.pk}",
        confirmed_status=RefundStatus.SUCCEEDED,
        confirmed_at=at,
    )
    FakeRefund.objects.create(
        reference=refund.provider_reference,
        charge=FakeCharge.objects.get(reference=payment.provider_reference),
        idempotency_key=f"refund-{refund.pk}-create",
        refund_id=refund.pk,
        amount=amount,
        status=RefundStatus.SUCCEEDED,
    )
    FakeCharge.objects.filter(reference=payment.provider_reference).update(amount_refunded=amount)
    Payment.objects.filter(pk=payment.pk).update(amount_refunded=amount)
    OrderLine.objects.filter(pk=line.pk).update(quantity_refunded=1)
    ledger_refund_record(refund=refund)
    new_status = OrderStatus.REFUNDED if full else OrderStatus.PARTIALLY_REFUNDED
    _event(order, OrderEventType.REFUNDED, order.status, new_status, at)
    order.status = new_status
    order.amount_refunded = amount


def _event(order: Order, type: str, old: str, new: str, at: dt.datetime) -> None:
    event = event_write(OrderEvent, order, type, from_status=old, to_status=new)
    # created_at is set on insert; the demo's history happened at ``at``.
    OrderEvent.objects.filter(pk=event.pk).update(created_at=at)


@dataclass(frozen=True)
class _Assortment:
    """Demo orders' makings: active channels, variants, warehouses, channel prices."""

    channels: list[SalesChannel]
    variants: list[ProductVariant]
    warehouses: list[Warehouse]
    prices: dict[tuple[int, int], Decimal]


def _assortment() -> _Assortment | None:
    """The shop's assortment, or None when it has no channel, variant or warehouse."""
    channels = list(SalesChannel.objects.filter(is_active=True).order_by("code"))
    variants = list(
        ProductVariant.objects.filter(is_active=True, product__is_active=True)
        .select_related("product")
        .order_by("sku")
    )
    warehouses = list(Warehouse.objects.filter(is_active=True).order_by("code"))
    if not channels or not variants or not warehouses:
        return None
    prices = {
        (p.variant_id, p.channel_id): p.price
        for p in VariantChannelPrice.objects.filter(channel__in=channels)
    }
    return _Assortment(channels, variants, warehouses, prices)


def demo_orders_load(
    *, months: int = 4, per_day: int = 4, seed: int = 2025, now: Any = None
) -> int:
    """Demo agreements, then paid orders over the last ``months`` months in every channel;
    returns how many orders were made. Closes the months that are over.

    Nothing of a demo order happens within the e-mail sweep's catch-up window before
    ``now``: no shopper of the demo is ever mailed about it."""
    now = now or timezone.now()
    until = now - CATCH_UP_WINDOW
    demo_agreements_load()
    assortment = _assortment()
    if assortment is None:
        return 0
    existing = set(
        Order.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list(
            "idempotency_key", flat=True
        )
    )
    local_today = timezone.localtime(now).date()
    start = local_today.replace(day=1)
    for _ in range(months - 1):
        start = month_previous(start)
    made = 0
    day = start
    while day <= local_today:
        made += _day_orders_make(
            day, assortment, seed=seed, per_day=per_day, existing=existing, until=until
        )
        day += dt.timedelta(days=1)
    settlements_close_due(now=now)
    return made


def _day_orders_make(
    day: dt.date,
    assortment: _Assortment,
    *,
    seed: int,
    per_day: int,
    existing: set[str],
    until: dt.datetime,
) -> int:
    """Make the day's demo orders paid before ``until`` not made yet; returns how many."""
    # Each day and each order draws from its own seed, so a run on a later day makes
    # the same orders for the days already made and skips them.
    day_rng = random.Random(f"{seed}-{day}")
    made = 0
    for index in range(day_rng.randint(max(per_day - 2, 1), per_day + 2)):
        key = f"{KEY_PREFIX}{day:%Y%m%d}-{index}"
        rng = random.Random(f"{seed}-{key}")
        channel = rng.choice(assortment.channels)
        picks = rng.sample(assortment.variants, rng.choice([1, 1, 1, 2, 2, 3]))
        items = [
            (v, rng.choice([1, 1, 1, 2, 3]), _price(v, channel, assortment.prices)) for v in picks
        ]
        minute = rng.randint(8 * 60, 22 * 60 - 1)
        paid_at = timezone.make_aware(dt.datetime.combine(day, dt.time(minute // 60, minute % 60)))
        if paid_at >= until or key in existing:
            continue
        _order_make(
            key=key,
            channel=channel,
            items=items,
            paid_at=paid_at,
            rng=rng,
            warehouses=assortment.warehouses,
            now=until,
        )
        made += 1
    return made

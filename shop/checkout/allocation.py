"""Choosing which warehouse's units to hold for an order, and holding them.

The rule: prefer the warehouse of the channel's owner, then the warehouse with
the most free units; a line may be split over warehouses when no single one has
enough. Units are held with conditional updates executed in stock primary-key
order, so concurrent checkouts never deadlock; a lost race re-plans (bounded).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When

from catalog.models import Stock
from catalog.services import stock_reserve
from shop.channels.models import SalesChannel
from shop.checkout.models import Reservation
from shop.orders.models import OrderLine

MAX_ATTEMPTS = 3


class _RaceLost(Exception):
    pass


def variant_available(variant_id: int) -> int:
    """Free units of a variant over all active warehouses."""
    total = 0
    for stock in Stock.objects.filter(variant_id=variant_id, warehouse__is_active=True).only(
        "quantity", "quantity_reserved"
    ):
        total += max(stock.quantity - stock.quantity_reserved, 0)
    return total


def _candidates(variant_id: int, channel: SalesChannel) -> list[tuple[int, int]]:
    rows = (
        Stock.objects.filter(
            variant_id=variant_id,
            warehouse__is_active=True,
            quantity__gt=F("quantity_reserved"),
        )
        .annotate(
            available=F("quantity") - F("quantity_reserved"),
            own=Case(
                When(warehouse__partner_id=channel.owner_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("own", "-available", "id")
        .values_list("id", "available")
    )
    return list(rows)


def _plan(
    requests: Sequence[tuple[OrderLine, int]], channel: SalesChannel
) -> list[tuple[int, OrderLine, int]] | None:
    plan: list[tuple[int, OrderLine, int]] = []
    for line, quantity in requests:
        needed = quantity
        for stock_id, available in _candidates(line.variant_id, channel):
            take = min(needed, available)
            plan.append((stock_id, line, take))
            needed -= take
            if needed == 0:
                break
        if needed > 0:
            return None
    return sorted(plan, key=lambda step: (step[0], step[1].pk))


def lines_allocate(
    requests: Sequence[tuple[OrderLine, int]],
    *,
    channel: SalesChannel,
    expires_at: datetime | None,
) -> bool:
    """Hold ``quantity`` units for each order line, all or nothing; False when stock is short."""
    for _ in range(MAX_ATTEMPTS):
        plan = _plan(requests, channel)
        if plan is None:
            return False
        try:
            with transaction.atomic():
                for stock_id, _line, quantity in plan:
                    if not stock_reserve(stock_id=stock_id, quantity=quantity):
                        raise _RaceLost()
                Reservation.objects.bulk_create(
                    Reservation(
                        order_line=line, stock_id=stock_id, quantity=quantity, expires_at=expires_at
                    )
                    for stock_id, line, quantity in plan
                )
        except _RaceLost:
            continue
        return True
    return False

"""Choosing which warehouse's units to hold for an order, and holding them.

The rule, in order (each step breaks the ties of the one before):

1. fewest shipments: one warehouse that can hold every line of the order wins;
2. the warehouse operated by the partner that owns the sales channel;
3. the warehouse with the most free units of the variants asked for;
4. the lowest warehouse id (so the choice is deterministic).

When no single warehouse can hold the whole order, lines are placed one by one,
preferring a warehouse already chosen for an earlier line (no new shipment), then a
warehouse that holds the whole line, then rules 2-4; a line may be split over
warehouses when no single one has enough.

Units are held with conditional updates executed in stock primary-key order, so
concurrent checkouts never deadlock; a lost race re-plans (bounded).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Sum

from catalog.offers import free_stock
from catalog.stock.holds import stock_reserve
from shop.channels.models import SalesChannel
from shop.core.kept_inserts import kept_insert
from shop.core.kept_statements import ID_FIELD, KeptStatement, slots
from shop.orders.holds import Reservation
from shop.orders.models import OrderLine

MAX_ATTEMPTS = 3


class _RaceLost(Exception):
    pass


def variants_available(variant_ids: set[int]) -> dict[int, int]:
    """Free units of each variant over all active warehouses, in one query; a variant
    with none free is missing from the answer."""
    rows = (
        free_stock(variant_id__in=variant_ids)
        .values("variant_id")
        .annotate(free=Sum(F("quantity") - F("quantity_reserved")))
        .values_list("variant_id", "free")
    )
    return {variant_id: int(free) for variant_id, free in rows}


@functools.lru_cache(maxsize=64)
def _free_rows(count: int) -> KeptStatement[dict[str, Any]]:
    """The stock rows with free units of ``count`` variants (slots ``variant_ids``), as
    ``_free_units`` reads them: read on every placing, so kept compiled once per number
    of variants and per connection (shop/core/kept_statements.py). ``variant__pk``: a
    foreign key's own ``__in`` refuses slots, the same column by its target takes them."""
    return KeptStatement(
        free_stock(variant__pk__in=slots("variant_ids", ID_FIELD, count))
        .annotate(free=F("quantity") - F("quantity_reserved"))
        .values("id", "variant_id", "warehouse_id", "warehouse__partner_id", "free")
    )


def _free_units(
    variant_ids: set[int],
) -> tuple[dict[int, dict[int, tuple[int, int]]], dict[int, int]]:
    """Free units per warehouse: ``{warehouse_id: {variant_id: (stock_id, free)}}``,
    and each warehouse's partner."""
    free: dict[int, dict[int, tuple[int, int]]] = {}
    partners: dict[int, int] = {}
    if not variant_ids:
        return free, partners
    for row in _free_rows(len(variant_ids)).rows(variant_ids=sorted(variant_ids)):
        warehouse_id = row["warehouse_id"]
        free.setdefault(warehouse_id, {})[row["variant_id"]] = (row["id"], row["free"])
        partners[warehouse_id] = row["warehouse__partner_id"]
    return free, partners


def _plan(
    requests: Sequence[tuple[OrderLine, int]], channel: SalesChannel
) -> list[tuple[int, OrderLine, int]] | None:
    """Which stock rows to hold, by the written rule (see the module docstring)."""
    needed: dict[int, int] = {}
    for line, quantity in requests:
        needed[line.variant_id] = needed.get(line.variant_id, 0) + quantity
    free, partners = _free_units(set(needed))

    def rank(warehouse_id: int) -> tuple[bool, int, int]:
        units = sum(available for _, available in free[warehouse_id].values())
        return (partners[warehouse_id] != channel.owner_id, -units, warehouse_id)

    # 1. One warehouse that holds the whole order: one shipment.
    whole = [
        warehouse_id
        for warehouse_id, stocks in free.items()
        if all(stocks.get(variant, (0, 0))[1] >= quantity for variant, quantity in needed.items())
    ]
    plan: list[tuple[int, OrderLine, int]] = []
    if whole:
        warehouse_id = min(whole, key=rank)
        for line, quantity in requests:
            plan.append((free[warehouse_id][line.variant_id][0], line, quantity))
        return sorted(plan, key=lambda step: (step[0], step[1].pk))

    # 2. Otherwise line by line, preferring warehouses already in the plan, then the
    #    channel owner's, then the most stock. Greedy: few shipments, not always the fewest.
    chosen: set[int] = set()
    left = {warehouse_id: dict(stocks) for warehouse_id, stocks in free.items()}
    for line, quantity in requests:
        remaining = quantity
        candidates = sorted(
            (w for w, stocks in left.items() if stocks.get(line.variant_id, (0, 0))[1] > 0),
            key=lambda w: (
                w not in chosen,
                left[w][line.variant_id][1] < remaining,
                *rank(w),
            ),
        )
        for warehouse_id in candidates:
            stock_id, available = left[warehouse_id][line.variant_id]
            take = min(remaining, available)
            plan.append((stock_id, line, take))
            left[warehouse_id][line.variant_id] = (stock_id, available - take)
            chosen.add(warehouse_id)
            remaining -= take
            if remaining == 0:
                break
        if remaining > 0:
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
        # A lost race on the first stock row has changed nothing; on a later one the
        # rows held before it are given back by rolling back to a savepoint. Most
        # orders hold one stock row and need none.
        if len(plan) == 1:
            stock_id, _line, quantity = plan[0]
            if not stock_reserve(stock_id=stock_id, quantity=quantity):
                continue
        else:
            try:
                with transaction.atomic():
                    for stock_id, _line, quantity in plan:
                        if not stock_reserve(stock_id=stock_id, quantity=quantity):
                            raise _RaceLost()
            except _RaceLost:
                continue
        kept_insert(Reservation).insert(
            [
                Reservation(
                    order_line=line, stock_id=stock_id, quantity=quantity, expires_at=expires_at
                )
                for stock_id, line, quantity in plan
            ]
        )
        return True
    return False

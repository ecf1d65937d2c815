"""Stock under concurrent staff and checkout requests, on the real PostgreSQL.

Every worker runs in its own thread with its own database connection, released at the
end; a barrier lines them up so their transactions really overlap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections, transaction
from django.db.models import Sum

from catalog.errors import EditionSizeExceeded, InsufficientStock
from catalog.list_entries import list_entries_refresh
from catalog.models import MovementReason, ProductListEntry, Stock, StockMovement
from catalog.stock.holds import stock_reserve
from catalog.stock.services import stock_adjust, stock_count, stock_receive, stock_transfer
from tests import factories

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def _run_together(workers: list[Callable[[], Any]]) -> list[Any]:
    """Start every worker at the same moment; each result is a value or the exception."""
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def run(index: int, work: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        except Exception as exc:  # collected and asserted on by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, work)) for index, work in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _received_stock(user, quantity: int, **kwargs) -> Stock:
    variant = kwargs.pop("variant", None) or factories.ProductVariantFactory()
    warehouse = kwargs.pop("warehouse", None) or factories.WarehouseFactory()
    stock_receive(
        variant=variant, warehouse=warehouse, quantity=quantity, batch_reference="B0", user=user
    )
    return Stock.objects.get(variant=variant, warehouse=warehouse)


def _movements_add_up(stock: Stock) -> bool:
    total = StockMovement.objects.filter(stock=stock).aggregate(total=Sum("quantity_delta"))
    return total["total"] == Stock.objects.get(pk=stock.pk).quantity


def test_twenty_removals_of_one_unit_from_ten_free_units():
    user = factories.StaffFactory()
    stock = _received_stock(user, 10)

    def remove_one() -> Any:
        return stock_adjust(stock=Stock.objects.get(pk=stock.pk), delta=-1, note="Lost", user=user)

    results = _run_together([remove_one] * 20)

    succeeded = [r for r in results if isinstance(r, StockMovement)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(succeeded), len(refused)) == (10, 10)
    stock.refresh_from_db()
    assert (stock.quantity, stock.quantity_reserved) == (0, 0)
    assert StockMovement.objects.filter(stock=stock, reason=MovementReason.ADJUSTMENT).count() == 10
    assert sorted(m.quantity_after for m in succeeded) == list(range(10))
    assert _movements_add_up(stock)


def test_transfers_racing_for_the_same_units():
    user = factories.StaffFactory()
    source = _received_stock(user, 10)
    target_warehouse = factories.WarehouseFactory()

    def move_three() -> Any:
        return stock_transfer(
            variant=source.variant,
            from_warehouse=source.warehouse,
            to_warehouse=target_warehouse,
            quantity=3,
            user=user,
            reason="restocking the other shop",
        )

    results = _run_together([move_three] * 6)

    assert sum(not isinstance(r, Exception) for r in results) == 3
    assert all(isinstance(r, InsufficientStock) for r in results if isinstance(r, Exception))
    target = Stock.objects.get(variant=source.variant, warehouse=target_warehouse)
    source.refresh_from_db()
    assert (source.quantity, target.quantity) == (1, 9)
    assert StockMovement.objects.filter(reason=MovementReason.TRANSFER_IN).count() == 3
    assert _movements_add_up(source)
    assert _movements_add_up(target)


def test_opposite_transfers_at_once_neither_deadlock_nor_lose_units():
    user = factories.StaffFactory()
    variant = factories.ProductVariantFactory()
    first = _received_stock(user, 50, variant=variant)
    second = _received_stock(user, 50, variant=variant)

    def there() -> Any:
        return stock_transfer(
            variant=variant,
            from_warehouse=first.warehouse,
            to_warehouse=second.warehouse,
            quantity=1,
            user=user,
            reason="restocking the other shop",
        )

    def back() -> Any:
        return stock_transfer(
            variant=variant,
            from_warehouse=second.warehouse,
            to_warehouse=first.warehouse,
            quantity=2,
            user=user,
            reason="restocking the other shop",
        )

    results = _run_together([there, back] * 8)

    assert [r for r in results if isinstance(r, Exception)] == []
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.quantity, second.quantity) == (50 + 8, 50 - 8)
    assert _movements_add_up(first)
    assert _movements_add_up(second)


def test_reserve_and_adjust_cannot_both_take_the_same_units():
    user = factories.StaffFactory()
    stocks = [_received_stock(user, 10) for _ in range(5)]

    for stock in stocks:

        def reserve(stock_id: int = stock.pk) -> Any:
            return stock_reserve(stock_id=stock_id, quantity=6)

        def remove(stock_id: int = stock.pk) -> Any:
            return stock_adjust(
                stock=Stock.objects.get(pk=stock_id), delta=-6, note="Damaged", user=user
            )

        reserved, removed = _run_together([reserve, remove])

        stock.refresh_from_db()
        if reserved is True:
            assert isinstance(removed, InsufficientStock)
            assert (stock.quantity, stock.quantity_reserved) == (10, 6)
        else:
            assert reserved is False
            assert isinstance(removed, StockMovement)
            assert (stock.quantity, stock.quantity_reserved) == (4, 0)
        assert _movements_add_up(stock)


def test_count_racing_reservations_never_drops_below_reserved():
    user = factories.StaffFactory()
    stock = _received_stock(user, 10)

    def reserve() -> Any:
        return stock_reserve(stock_id=stock.pk, quantity=2)

    def count() -> Any:
        return stock_count(stock=Stock.objects.get(pk=stock.pk), counted_quantity=5, user=user)

    results = _run_together([reserve] * 4 + [count])

    stock.refresh_from_db()
    granted = sum(r is True for r in results[:4])
    assert stock.quantity_reserved == 2 * granted
    assert stock.quantity_reserved <= stock.quantity
    assert _movements_add_up(stock)
    if isinstance(results[4], Exception):
        assert stock.quantity == 10
        assert stock.quantity_reserved > 5
    else:
        assert stock.quantity == 5


def test_concurrent_receipts_of_a_limited_edition_stop_at_its_size():
    user = factories.StaffFactory()
    product = factories.ProductFactory(edition_size=10)
    variants = [factories.ProductVariantFactory(product=product) for _ in range(2)]
    warehouses = [factories.WarehouseFactory() for _ in range(2)]

    def receive(index: int) -> Callable[[], Any]:
        return lambda: stock_receive(
            variant=variants[index % 2],
            warehouse=warehouses[index // 2 % 2],
            quantity=2,
            batch_reference=f"B{index}",
            user=user,
        )

    results = _run_together([receive(index) for index in range(8)])

    assert sum(isinstance(r, StockMovement) for r in results) == 5
    assert sum(isinstance(r, EditionSizeExceeded) for r in results) == 3
    assert Stock.objects.aggregate(total=Sum("quantity"))["total"] == 10


def _free_flags(product_id: int) -> set[bool]:
    entries = ProductListEntry.objects.filter(product_id=product_id)
    return set(entries.values_list("has_free_units", flat=True))


def _hold(stock_id: int, quantity: int) -> Callable[[], Any]:
    def work() -> Any:
        with transaction.atomic():  # as the checkout holds its lines' units
            return stock_reserve(stock_id=stock_id, quantity=quantity)

    return work


def test_checkouts_taking_the_last_units_of_two_rows_at_once_leave_the_product_sold_out():
    user = factories.StaffFactory()
    variant = factories.ProductVariantFactory()
    first = _received_stock(user, 2, variant=variant)
    second = _received_stock(user, 3, variant=variant)
    assert _free_flags(variant.product_id) == {True}

    results = _run_together([_hold(first.pk, 2), _hold(second.pk, 3)])

    assert results == [True, True]
    # Each recount ran after its own commit, the later one with both holds in view.
    assert _free_flags(variant.product_id) == {False}


def test_a_checkout_commits_its_hold_while_a_refresh_holds_the_product():
    user = factories.StaffFactory()
    stock = _received_stock(user, 2)
    product_id = stock.variant.product_id
    refreshing, committed = threading.Event(), threading.Event()

    def refresh() -> Any:
        with transaction.atomic():
            list_entries_refresh(product_ids=[product_id])  # locks the product's row
            refreshing.set()
            # The hold below commits while this transaction still holds the lock.
            return committed.wait(timeout=10)

    def hold() -> Any:
        assert refreshing.wait(timeout=10)
        with transaction.atomic():
            transaction.on_commit(committed.set)  # runs before the recount it queues
            return stock_reserve(stock_id=stock.pk, quantity=2)

    results = _run_together([refresh, hold])

    assert results == [True, True]
    assert Stock.objects.get(pk=stock.pk).quantity_reserved == 2
    # The recount after the hold's commit waited for the refresh, then saw the hold.
    assert _free_flags(product_id) == {False}

"""The staff's inventory operations: receipts, adjustments, counts, transfers, thresholds."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from catalog.errors import (
    InsufficientStock,
    ReservedUnitsProtected,
    SameWarehouse,
    StockNotFound,
    WarehouseInactive,
)
from catalog.models import MovementReason, Stock, StockMovement
from catalog.stock.holds import stock_ship
from catalog.stock.services import (
    stock_adjust,
    stock_count,
    stock_low_threshold_set,
    stock_receive,
    stock_transfer,
)
from shop.core.errors import InvalidInput
from tests import factories
from tests.catalog.stock.state import stock_state as _state
from tests.factories.catalog_scenes import stock_row as _stock

pytestmark = pytest.mark.django_db


# stock_receive


def test_receive_creates_the_stock_row_and_a_receipt_movement(staff_user):
    variant = factories.ProductVariantFactory()
    warehouse = factories.WarehouseFactory()

    movement = stock_receive(
        variant=variant,
        warehouse=warehouse,
        quantity=25,
        batch_reference="BATCH-2024-07",
        user=staff_user,
    )

    stock = Stock.objects.get(variant=variant, warehouse=warehouse)
    assert (stock.quantity, stock.quantity_reserved) == (25, 0)
    assert movement.stock_id == stock.pk
    assert movement.reason == MovementReason.RECEIPT
    assert movement.quantity_delta == 25
    assert movement.quantity_after == 25
    assert movement.reference == "BATCH-2024-07"
    assert movement.created_by == staff_user


def test_receive_adds_to_an_existing_row(staff_user):
    stock = _stock(quantity=7, reserved=2)

    stock_receive(
        variant=stock.variant,
        warehouse=stock.warehouse,
        quantity=3,
        batch_reference="B2",
        user=staff_user,
    )

    stock.refresh_from_db()
    assert (stock.quantity, stock.quantity_reserved) == (10, 2)
    assert Stock.objects.count() == 1


@pytest.mark.parametrize(
    ("quantity", "reference", "field"),
    [
        (0, "B1", "quantity"),
        (-5, "B1", "quantity"),
        (1_000_001, "B1", "quantity"),
        ("3", "B1", "quantity"),
        (True, "B1", "quantity"),
        (5, "", "batch_reference"),
        (5, "   ", "batch_reference"),
        (5, "x" * 101, "batch_reference"),
    ],
)
def test_receive_refuses_bad_input(staff_user, quantity, reference, field):
    stock = _stock(quantity=4)
    before = _state()

    with pytest.raises(InvalidInput) as caught:
        stock_receive(
            variant=stock.variant,
            warehouse=stock.warehouse,
            quantity=quantity,
            batch_reference=reference,
            user=staff_user,
        )

    assert list(caught.value.fields) == [field]
    assert _state() == before


def test_receive_refuses_a_closed_warehouse(staff_user):
    variant = factories.ProductVariantFactory()
    warehouse = factories.WarehouseFactory(is_active=False)

    with pytest.raises(WarehouseInactive):
        stock_receive(
            variant=variant, warehouse=warehouse, quantity=1, batch_reference="B", user=staff_user
        )

    assert Stock.objects.count() == 0
    assert StockMovement.objects.count() == 0


# stock_adjust


def test_adjust_adds_and_removes_free_units(staff_user):
    stock = _stock(quantity=10, reserved=4)

    up = stock_adjust(stock=stock, delta=5, note="Found a carton", user=staff_user)
    down = stock_adjust(stock=stock, delta=-11, note="Water damage", user=staff_user)

    assert (stock.quantity, stock.quantity_reserved) == (4, 4)
    assert [up.quantity_delta, up.quantity_after] == [5, 15]
    assert [down.quantity_delta, down.quantity_after, down.note] == [-11, 4, "Water damage"]
    assert {up.reason, down.reason} == {MovementReason.ADJUSTMENT}
    assert down.created_by == staff_user


def test_adjust_cannot_remove_reserved_units(staff_user):
    stock = _stock(quantity=10, reserved=4)
    before = _state()

    with pytest.raises(InsufficientStock):
        stock_adjust(stock=stock, delta=-7, note="Damaged", user=staff_user)

    assert _state() == before


@pytest.mark.parametrize(
    ("delta", "note", "field"),
    [(0, "x", "delta"), (1.5, "x", "delta"), (-2_000_000, "x", "delta"), (3, "", "note")],
)
def test_adjust_refuses_bad_input(staff_user, delta, note, field):
    stock = _stock(quantity=10)
    before = _state()

    with pytest.raises(InvalidInput) as caught:
        stock_adjust(stock=stock, delta=delta, note=note, user=staff_user)

    assert list(caught.value.fields) == [field]
    assert _state() == before


# stock_count


def test_count_sets_on_hand_through_a_count_movement(staff_user):
    stock = _stock(quantity=10, reserved=3)

    movement = stock_count(stock=stock, counted_quantity=7, user=staff_user)

    assert movement is not None
    assert (movement.reason, movement.quantity_delta, movement.quantity_after) == (
        MovementReason.COUNT,
        -3,
        7,
    )
    assert movement.note == "Counted 7."
    assert (stock.quantity, stock.quantity_reserved) == (7, 3)

    up = stock_count(stock=stock, counted_quantity=12, user=staff_user, note="Year-end count")
    assert up is not None
    assert (up.quantity_delta, up.note, stock.quantity) == (5, "Year-end count", 12)


def test_every_movement_stamps_when_units_on_hand_last_changed(staff_user):
    stock = _stock(quantity=10, reserved=3)
    long_ago = timezone.now() - timedelta(days=30)
    Stock.objects.filter(pk=stock.pk).update(updated_at=long_ago)

    stock_count(stock=stock, counted_quantity=9, user=staff_user)
    counted = Stock.objects.get(pk=stock.pk).updated_at
    Stock.objects.filter(pk=stock.pk).update(updated_at=long_ago)
    stock_ship(stock_id=stock.pk, quantity=1, reference="order 1")
    shipped = Stock.objects.get(pk=stock.pk).updated_at

    assert counted > long_ago
    assert shipped > long_ago


def test_count_matching_the_books_writes_nothing(staff_user):
    stock = _stock(quantity=10, reserved=3)
    before = _state()

    assert stock_count(stock=stock, counted_quantity=10, user=staff_user) is None

    assert _state() == before


def test_count_below_reserved_is_refused(staff_user):
    stock = _stock(quantity=10, reserved=3)
    before = _state()

    with pytest.raises(ReservedUnitsProtected) as caught, translation.override("en"):
        stock_count(stock=stock, counted_quantity=2, user=staff_user)

    assert caught.value.fields == {"counted_quantity": ["At least 3."]}
    assert _state() == before


@pytest.mark.parametrize("counted", [-1, "7", None])
def test_count_refuses_bad_input(staff_user, counted):
    stock = _stock(quantity=10)
    before = _state()

    with pytest.raises(InvalidInput):
        stock_count(stock=stock, counted_quantity=counted, user=staff_user)

    assert _state() == before


# stock_transfer


def test_transfer_moves_free_units_with_two_movements_sharing_a_reference(staff_user):
    source = _stock(quantity=10, reserved=2)
    target_warehouse = factories.WarehouseFactory(partner=source.warehouse.partner)

    transfer = stock_transfer(
        variant=source.variant,
        from_warehouse=source.warehouse,
        to_warehouse=target_warehouse,
        quantity=8,
        user=staff_user,
    )

    source.refresh_from_db()
    target = Stock.objects.get(variant=source.variant, warehouse=target_warehouse)
    assert (source.quantity, source.quantity_reserved) == (2, 2)
    assert (target.quantity, target.quantity_reserved) == (8, 0)
    assert transfer.reference.startswith("transfer-")
    out, into = transfer.movement_out, transfer.movement_in
    assert (out.stock_id, out.reason, out.quantity_delta, out.quantity_after) == (
        source.pk,
        MovementReason.TRANSFER_OUT,
        -8,
        2,
    )
    assert (into.stock_id, into.reason, into.quantity_delta, into.quantity_after) == (
        target.pk,
        MovementReason.TRANSFER_IN,
        8,
        8,
    )
    assert out.reference == into.reference == transfer.reference
    assert out.created_by == into.created_by == staff_user


def test_transfer_of_reserved_units_is_refused_and_leaves_no_target_row(staff_user):
    source = _stock(quantity=10, reserved=5)
    target_warehouse = factories.WarehouseFactory(partner=source.warehouse.partner)
    before = _state()

    with pytest.raises(InsufficientStock):
        stock_transfer(
            variant=source.variant,
            from_warehouse=source.warehouse,
            to_warehouse=target_warehouse,
            quantity=6,
            user=staff_user,
        )

    assert _state() == before


def test_transfer_to_the_same_warehouse_is_refused(staff_user):
    source = _stock(quantity=10)
    before = _state()

    with pytest.raises(SameWarehouse):
        stock_transfer(
            variant=source.variant,
            from_warehouse=source.warehouse,
            to_warehouse=source.warehouse,
            quantity=1,
            user=staff_user,
        )

    assert _state() == before


def test_transfer_from_a_warehouse_without_the_variant_is_refused(staff_user):
    variant = factories.ProductVariantFactory()
    source = factories.WarehouseFactory()
    target = factories.WarehouseFactory(partner=source.partner)

    with pytest.raises(StockNotFound):
        stock_transfer(
            variant=variant, from_warehouse=source, to_warehouse=target, quantity=1, user=staff_user
        )

    assert Stock.objects.count() == 0


def test_transfer_into_a_closed_warehouse_is_refused(staff_user):
    source = _stock(quantity=10)
    closed = factories.WarehouseFactory(is_active=False, partner=source.warehouse.partner)
    before = _state()

    with pytest.raises(WarehouseInactive):
        stock_transfer(
            variant=source.variant,
            from_warehouse=source.warehouse,
            to_warehouse=closed,
            quantity=1,
            user=staff_user,
        )

    assert _state() == before


@pytest.mark.parametrize("quantity", [0, -3, "2"])
def test_transfer_refuses_bad_quantity(staff_user, quantity):
    source = _stock(quantity=10)
    target = factories.WarehouseFactory(partner=source.warehouse.partner)
    before = _state()

    with pytest.raises(InvalidInput):
        stock_transfer(
            variant=source.variant,
            from_warehouse=source.warehouse,
            to_warehouse=target,
            quantity=quantity,
            user=staff_user,
        )

    assert _state() == before


# Thresholds and the low-stock list


def test_low_threshold_set(staff_user):
    stock = _stock(quantity=10)

    stock_low_threshold_set(stock=stock, threshold=12, user=staff_user)

    assert Stock.objects.get().low_stock_threshold == 12
    assert stock.low_stock_threshold == 12
    assert StockMovement.objects.count() == 0


@pytest.mark.parametrize("threshold", [-1, "3", 2.0])
def test_low_threshold_refuses_bad_input(staff_user, threshold):
    stock = _stock(quantity=10)
    before = _state()

    with pytest.raises(InvalidInput):
        stock_low_threshold_set(stock=stock, threshold=threshold, user=staff_user)

    assert _state() == before

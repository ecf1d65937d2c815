"""The product list's entries stay what the catalog says after every change that moves
them: products, variants, listings, channel prices, and stock units held, released,
received, adjusted, counted and moved (see catalog/list_entries.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.list_entries import (
    list_entries_rebuild,
    list_entries_refresh,
    list_entries_stock_recount,
    list_entries_stock_sweep,
)
from catalog.models import Product, ProductListEntry, ProductVariant, Stock
from catalog.stock.holds import stock_reserve, stock_unreserve
from catalog.stock.movements import stock_change
from catalog.stock.services import stock_adjust, stock_count, stock_receive, stock_transfer
from catalog.tasks import list_entries_stock_sweep_task
from tests import factories
from tests.catalog.list_entries_rows import NOW, entries, free_flags
from tests.factories.catalog_scenes import fan_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    """A product in two channels (one with its own price) and browsing, with one stock row
    of 3 units in an open warehouse."""
    return fan_shop()


def test_a_product_on_show_has_an_entry_for_browsing_and_one_per_published_channel(shop):
    product, collection = shop["product"], shop["collection"]
    window = (NOW, NOW + datetime.timedelta(days=1))

    assert entries(product) == [
        (None, "fan", "折扇", "Folding Fan", collection.pk, None, None, Decimal("80.00"), True),
        (
            shop["web"].pk,
            "fan",
            "折扇",
            "Folding Fan",
            collection.pk,
            None,
            None,
            Decimal("80.00"),
            True,
        ),
        (
            shop["app"].pk,
            "fan",
            "折扇",
            "Folding Fan",
            collection.pk,
            *window,
            Decimal("70.00"),
            True,
        ),
    ]
    created = ProductListEntry.objects.filter(product=product).values_list("created_at", flat=True)
    assert set(created) == {product.created_at}


def test_refresh_follows_texts_prices_listings_and_what_is_on_show(shop):
    product, cheap = shop["product"], shop["cheap"]
    Product.objects.filter(pk=product.pk).update(slug="fan-2", name_en="Round Fan", collection=None)
    ProductVariant.objects.filter(pk=cheap.pk).update(price=Decimal("130.00"))
    product.channel_listings.filter(channel=shop["web"]).update(is_published=False)

    list_entries_refresh(product_ids=[product.pk])

    assert entries(product) == [
        (None, "fan-2", "折扇", "Round Fan", None, None, None, Decimal("120.00"), True),
        (
            shop["app"].pk,
            "fan-2",
            "折扇",
            "Round Fan",
            None,
            NOW,
            NOW + datetime.timedelta(days=1),
            Decimal("70.00"),
            True,
        ),
    ]

    # The cheap variant retired: its channel price and its units go with it.
    ProductVariant.objects.filter(pk=cheap.pk).update(is_active=False)
    list_entries_refresh(product_ids=[product.pk])
    assert [(e[0], e[7], e[8]) for e in entries(product)] == [
        (None, Decimal("120.00"), False),
        (shop["app"].pk, Decimal("120.00"), False),
    ]

    ProductVariant.objects.filter(product=product).update(is_active=False)
    list_entries_refresh(product_ids=[product.pk])
    assert entries(product) == []

    ProductVariant.objects.filter(product=product).update(is_active=True)
    Product.objects.filter(pk=product.pk).update(is_active=False)
    list_entries_refresh(product_ids=[product.pk])
    assert entries(product) == []


def test_rebuild_writes_the_same_entries_as_refresh(shop):
    other = factories.ProductVariantFactory(price=Decimal("5.00")).product
    before = {product: entries(product) for product in (shop["product"], other)}

    assert list_entries_rebuild() == 4

    assert {product: entries(product) for product in (shop["product"], other)} == before


def test_refresh_of_a_product_costs_four_queries(shop, django_assert_num_queries):
    # the lock, the delete, browsing, channels
    with django_assert_num_queries(4):
        list_entries_refresh(product_ids=[shop["product"].pk])


def test_holding_the_last_units_clears_the_flag_after_the_commit(
    shop, django_capture_on_commit_callbacks, django_assert_num_queries
):
    product, stock = shop["product"], shop["stock"]

    # Units left after the hold: one statement, which answers how many are left.
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
        assert stock_reserve(stock_id=stock.pk, quantity=2)
    assert callbacks == []
    assert free_flags(product) == {True}

    # The last unit: the same one statement, and the product is recounted after the commit.
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
        assert stock_reserve(stock_id=stock.pk, quantity=1)
    assert free_flags(product) == {True}
    with django_assert_num_queries(3):  # the product, its lock, the flags
        for callback in callbacks:
            callback()
    assert free_flags(product) == {False}

    # Nothing left: refused, nothing scheduled.
    with django_capture_on_commit_callbacks() as callbacks:
        assert not stock_reserve(stock_id=stock.pk, quantity=1)
    assert callbacks == []
    assert Stock.objects.get(pk=stock.pk).quantity_reserved == 3


def test_releasing_units_into_a_row_with_none_free_sets_the_flag_after_the_commit(
    shop, django_capture_on_commit_callbacks, django_assert_num_queries
):
    product, stock = shop["product"], shop["stock"]
    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(stock_id=stock.pk, quantity=3)
    assert free_flags(product) == {False}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stock_unreserve(stock_id=stock.pk, quantity=1)
    assert len(callbacks) == 1
    assert free_flags(product) == {True}

    # Units free already: one statement, no recount.
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
        stock_unreserve(stock_id=stock.pk, quantity=1)
    assert callbacks == []
    assert free_flags(product) == {True}
    assert Stock.objects.get(pk=stock.pk).quantity_reserved == 1


def test_a_hold_rolled_back_schedules_no_recount(shop, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        stock_reserve(stock_id=shop["stock"].pk, quantity=3)
        raise RuntimeError("the order failed")
    assert callbacks == []
    assert free_flags(shop["product"]) == {True}


def test_staff_stock_changes_move_the_flag_at_once(shop):
    product, stock, staff = shop["product"], shop["stock"], shop["staff"]

    stock_adjust(stock=stock, delta=-3, note="Broken", user=staff)
    assert free_flags(product) == {False}

    stock_count(stock=stock, counted_quantity=2, user=staff)
    assert free_flags(product) == {True}

    elsewhere = factories.WarehouseFactory()
    stock_transfer(
        variant=shop["cheap"],
        from_warehouse=shop["warehouse"],
        to_warehouse=elsewhere,
        quantity=2,
        user=staff,
        reason="restocking the other shop",
    )
    assert free_flags(product) == {True}  # the units are free in the other warehouse
    moved = Stock.objects.get(variant=shop["cheap"], warehouse=elsewhere)

    stock_change(stock_id=moved.pk, delta=-2, reason="write_off", user=staff)
    assert free_flags(product) == {False}

    stock_receive(
        variant=shop["cheap"], warehouse=elsewhere, quantity=1, batch_reference="B2", user=staff
    )
    assert free_flags(product) == {True}


def test_units_reserved_in_full_leave_the_product_without_free_units(shop):
    stock = shop["stock"]
    Stock.objects.filter(pk=stock.pk).update(quantity_reserved=3)
    list_entries_stock_recount(product_ids=[shop["product"].pk])

    assert free_flags(shop["product"]) == {False}


def test_the_sweep_repairs_a_flag_a_lost_recount_left_behind(shop):
    product = shop["product"]
    # A checkout committed its hold of the last units, and its process died before the
    # recount after the commit ran.
    Stock.objects.filter(pk=shop["stock"].pk).update(quantity_reserved=3)
    healthy = factories.StockFactory(quantity=4)

    assert list_entries_stock_sweep_task.apply().result == 1

    assert free_flags(product) == {False}
    assert free_flags(healthy.variant.product) == {True}
    assert list_entries_stock_sweep() == 0


@pytest.mark.parametrize("ordering", ["slug", "-price", "newest", "name"])
@pytest.mark.parametrize("in_channel", [True, False])
def test_the_count_and_the_page_read_only_the_entries(shop, ordering, in_channel):
    from catalog.selectors import product_list

    products = product_list(
        filters={"in_stock": "true", "price_min": "10", "ordering": ordering},
        channel_id=shop["web"].pk if in_channel else None,
    )
    with CaptureQueriesContext(connection) as queries:
        assert products.count() == 1
        assert [product.slug for product in products[0:20]] == ["fan"]

    count_sql, page_sql = (query["sql"] for query in queries.captured_queries[:2])
    assert "catalog_productlistentry" in count_sql
    for table in ('"catalog_product"', "catalog_stock", "catalog_productvariant"):
        assert table not in count_sql
    # The page is cut in the entries' subquery; prices and stock only for its products.
    picked = page_sql[page_sql.index("IN (SELECT") :]
    assert "LIMIT 20" in picked
    assert "catalog_stock" not in picked
    assert not page_sql.rstrip().endswith("LIMIT 20")
    assert "channels_saleschannel" not in page_sql


@pytest.mark.django_db(transaction=True)
def test_a_recount_failing_after_the_commit_is_logged_and_the_hold_stands(
    shop, monkeypatch, caplog
):
    """The hold is committed before its recount runs: a recount that fails must not turn
    the shopper's answer into an error (the sweep repairs the flag later)."""
    from catalog import list_entries

    def broken(stock_id: int) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(list_entries, "_stock_recount", broken)
    stock = shop["stock"]

    with caplog.at_level("ERROR", logger="django.db.backends.base"), transaction.atomic():
        assert stock_reserve(stock_id=stock.pk, quantity=3)

    assert Stock.objects.get(pk=stock.pk).quantity_reserved == 3
    assert free_flags(shop["product"]) == {True}  # stale until the sweep
    assert any("recount" in record.getMessage() for record in caplog.records)

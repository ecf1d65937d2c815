"""A limited edition holds on every path that adds units: receipts, adjustments, counts
and the stock import."""

import io

import pytest

from catalog.errors import (
    EditionSizeExceeded,
    ImportRejected,
)
from catalog.models import Stock
from catalog.stock.services import (
    stock_adjust,
    stock_count,
    stock_receive,
)
from tests import factories
from tests.catalog.stock.state import stock_state as _state

pytestmark = pytest.mark.django_db


def test_limited_edition_receipts_stop_at_the_edition_size_over_variants_and_warehouses(
    staff_user,
):
    product = factories.ProductFactory(edition_size=10)
    red = factories.ProductVariantFactory(product=product)
    blue = factories.ProductVariantFactory(product=product)
    first, second = factories.WarehouseFactory(), factories.WarehouseFactory()
    stock_receive(variant=red, warehouse=first, quantity=6, batch_reference="B1", user=staff_user)
    stock_receive(variant=blue, warehouse=second, quantity=3, batch_reference="B2", user=staff_user)
    before = _state()

    with pytest.raises(EditionSizeExceeded) as caught:
        stock_receive(
            variant=red, warehouse=second, quantity=2, batch_reference="B3", user=staff_user
        )

    assert caught.value.code == "edition_size_exceeded"
    assert caught.value.status_code == 409
    assert caught.value.data == {"edition_size": 10, "units_received": 9}
    assert _state() == before

    stock_receive(variant=red, warehouse=second, quantity=1, batch_reference="B3", user=staff_user)
    assert sum(Stock.objects.values_list("quantity", flat=True)) == 10


def test_limited_edition_counts_units_received_even_after_they_were_sold(staff_user):
    product = factories.ProductFactory(edition_size=5)
    variant = factories.ProductVariantFactory(product=product)
    warehouse = factories.WarehouseFactory()
    stock_receive(
        variant=variant, warehouse=warehouse, quantity=5, batch_reference="B1", user=staff_user
    )
    stock = Stock.objects.get()
    stock_adjust(stock=stock, delta=-5, note="Broken in transit", user=staff_user)

    with pytest.raises(EditionSizeExceeded):
        stock_receive(
            variant=variant, warehouse=warehouse, quantity=1, batch_reference="B2", user=staff_user
        )


@pytest.fixture
def edition_of_five(staff_user):
    product = factories.ProductFactory(edition_size=5)
    variant = factories.ProductVariantFactory(product=product)
    warehouse = factories.WarehouseFactory()
    stock_receive(
        variant=variant, warehouse=warehouse, quantity=4, batch_reference="B1", user=staff_user
    )
    return Stock.objects.get(variant=variant)


def test_found_units_beyond_the_edition_are_refused_by_adjustments_and_counts(
    edition_of_five, staff_user
):
    stock = edition_of_five
    before = _state()

    with pytest.raises(EditionSizeExceeded):
        stock_adjust(stock=stock, delta=2, note="found", user=staff_user)
    with pytest.raises(EditionSizeExceeded):
        stock_count(stock=stock, counted_quantity=6, user=staff_user)

    assert _state() == before
    stock_count(stock=stock, counted_quantity=5, user=staff_user)  # one place was left
    with pytest.raises(EditionSizeExceeded):
        stock_adjust(stock=stock, delta=1, note="found", user=staff_user)
    assert Stock.objects.get(pk=stock.pk).quantity == 5


def test_units_lost_and_found_again_are_counted_once(edition_of_five, staff_user):
    stock = edition_of_five
    stock_count(stock=stock, counted_quantity=1, user=staff_user)  # three units missing

    stock_adjust(stock=stock, delta=3, note="found in the back room", user=staff_user)
    stock_count(stock=stock, counted_quantity=5, user=staff_user)  # and the fifth place

    assert Stock.objects.get(pk=stock.pk).quantity == 5
    with pytest.raises(EditionSizeExceeded):
        stock_receive(
            variant=stock.variant,
            warehouse=stock.warehouse,
            quantity=1,
            batch_reference="B2",
            user=staff_user,
        )


def test_the_stock_import_cannot_count_an_edition_past_its_size(edition_of_five, superuser):
    from catalog.csv.stock import stock_import

    stock = edition_of_five
    upload = (
        "action,warehouse,sku,quantity,batch_reference,note\n"
        f"count,{stock.warehouse.code},{stock.variant.sku},9,,\n"
    )
    before = _state()

    with pytest.raises(ImportRejected) as caught:
        stock_import(upload=io.BytesIO(upload.encode()), user=superuser)

    assert "edition_size_exceeded" in str(caught.value.data)
    assert _state() == before

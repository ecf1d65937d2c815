"""What staff do to stock is traced in the database: who changed a low-stock threshold
from what to what, the note a CSV receipt came with, and when each row last changed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.csv.stock import STOCK_IMPORT_COLUMNS
from catalog.models import MovementReason, Stock, StockMovement
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(museum):
    warehouse = factories.WarehouseFactory(partner=museum, code="museum-main")
    return factories.StockFactory(warehouse=warehouse, quantity=10, low_stock_threshold=5)


@pytest.fixture
def keeper(museum):
    return factories.PartnerStaffFactory(partner=museum).user


def _long_ago(stock: Stock) -> dt.datetime:
    long_ago = timezone.now() - dt.timedelta(days=30)
    Stock.objects.filter(pk=stock.pk).update(updated_at=long_ago)
    return long_ago


def test_a_threshold_set_through_the_staff_api_is_traced(stock, keeper):
    long_ago = _long_ago(stock)

    response = client_for(keeper).post(
        f"/api/v1/staff/stock/{stock.pk}/low-threshold/", {"threshold": 8}, format="json"
    )

    assert response.status_code == 200, response.json()
    last = stock.history.latest()
    assert (last.history_type, last.low_stock_threshold, last.history_user) == ("~", 8, keeper)
    assert last.prev_record.low_stock_threshold == 5
    stock.refresh_from_db()
    assert (stock.quantity, stock.low_stock_threshold) == (10, 8)
    assert stock.updated_at > long_ago


def test_a_receipt_note_from_the_stock_csv_stays_on_the_movement(stock, keeper):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=STOCK_IMPORT_COLUMNS)
    writer.writeheader()
    writer.writerow(
        {
            "action": "receipt",
            "warehouse": "museum-main",
            "sku": stock.variant.sku,
            "quantity": "4",
            "batch_reference": "B-7",
            "note": "Two boxes dented",
        }
    )
    upload = SimpleUploadedFile("stock.csv", buffer.getvalue().encode(), content_type="text/csv")

    response = client_for(keeper).post(
        "/api/v1/staff/stock/import/", {"file": upload}, format="multipart"
    )

    assert response.status_code == 200, response.json()
    movement = StockMovement.objects.get(reason=MovementReason.RECEIPT)
    assert (movement.quantity_delta, movement.reference, movement.note, movement.created_by) == (
        4,
        "B-7",
        "Two boxes dented",
        keeper,
    )


def test_a_receipt_through_the_staff_api_keeps_its_note(stock, keeper):
    response = client_for(keeper).post(
        "/api/v1/staff/stock/receive/",
        {
            "sku": stock.variant.sku,
            "warehouse": "museum-main",
            "quantity": 2,
            "batch_reference": "B-8",
            "note": "Late delivery",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert StockMovement.objects.get().note == "Late delivery"


def test_units_changing_stamp_the_row_but_write_no_history(stock, keeper):
    long_ago = _long_ago(stock)
    rows_before = stock.history.count()

    response = client_for(keeper).post(
        f"/api/v1/staff/stock/{stock.pk}/adjust/", {"delta": -2, "note": "Broken"}, format="json"
    )

    assert response.status_code == 201, response.json()
    stock.refresh_from_db()
    assert stock.updated_at > long_ago
    assert stock.history.count() == rows_before

"""A CSV file too large for one request is imported by a task, all or nothing, and
staff follow its progress in the staff API and the admin."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalog.csv.imports import csv_import_progress
from catalog.csv.jobs import CsvImport
from catalog.csv.products import PRODUCT_COLUMNS, products_import
from catalog.models import Product
from tests import factories
from tests.catalog.test_csv import BASE, _catalog_state, _csv, _product_row, _upload
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(museum):
    return factories.PartnerStaffFactory(partner=museum).user


@pytest.fixture
def small_inline_limit(settings):
    settings.SHOP_CSV_IMPORT_INLINE_ROWS = 2


def three_products() -> list[dict]:
    return [
        _product_row(product_slug=f"scroll-{n}", sku=f"SCROLL-{n}", product_name_en=f"Scroll {n}")
        for n in range(3)
    ]


def test_a_large_file_is_imported_by_a_task_and_its_author_follows_it(
    editor, small_inline_limit, django_capture_on_commit_callbacks
):
    client = client_for(editor)
    with django_capture_on_commit_callbacks(execute=True):
        queued = _upload(client, "products/import/", _csv(PRODUCT_COLUMNS, three_products()))

    assert queued.status_code == 202
    body = queued.json()
    assert (body["kind"], body["status"]) == ("products", "queued")
    followed = client.get(body["url"]).json()
    assert {key: followed[key] for key in ("status", "rows_done", "rows_total", "result")} == {
        "status": "done",
        "rows_done": 3,
        "rows_total": 3,
        "result": {
            "products_created": 3,
            "products_updated": 0,
            "variants_created": 3,
            "variants_updated": 0,
        },
    }
    assert sorted(Product.objects.values_list("slug", flat=True)) == [
        "scroll-0",
        "scroll-1",
        "scroll-2",
    ]
    # Another partner's staff are told it does not exist.
    other = client_for(factories.PartnerStaffFactory(partner=factories.PartnerFactory()).user)
    missing = other.get(body["url"])
    assert (missing.status_code, missing.json()["code"]) == (404, "csv_import_not_found")


def test_a_large_file_with_a_bad_row_is_refused_whole_by_the_task(
    editor, small_inline_limit, django_capture_on_commit_callbacks
):
    before = _catalog_state()
    rows = three_products()
    rows[2]["price"] = "12.345"
    client = client_for(editor)
    with django_capture_on_commit_callbacks(execute=True):
        queued = _upload(client, "products/import/", _csv(PRODUCT_COLUMNS, rows))

    followed = client.get(queued.json()["url"]).json()
    assert followed["status"] == "refused"
    assert followed["rows_done"] == 0
    assert followed["refusal"]["code"] == "import_rejected"
    assert followed["refusal"]["fields"] == {"row_4": ["price: At most two decimal places (fen)."]}
    assert _catalog_state() == before


def test_a_small_file_is_still_imported_in_the_request(editor):
    response = _upload(
        client_for(editor), "products/import/", _csv(PRODUCT_COLUMNS, three_products())
    )

    assert response.status_code == 200
    assert response.json()["products_created"] == 3
    assert not CsvImport.objects.exists()


def test_progress_is_told_after_each_product_and_read_from_the_cache_while_running(editor):
    told: list[tuple[int, int]] = []
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.csv", _csv(PRODUCT_COLUMNS, three_products()))
    products_import(upload=upload, user=editor, progress=lambda *done: told.append(done))
    assert told == [(1, 3), (2, 3), (3, 3)]

    running = CsvImport.objects.create(kind="products", status="running", created_by=editor)
    cache.set(f"csv-import:{running.pk}:progress", (150, 10000))
    assert csv_import_progress(running) == (150, 10000)


def test_the_admin_lists_imports_with_their_progress(
    editor, small_inline_limit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client_for(editor), "products/import/", _csv(PRODUCT_COLUMNS, three_products()))
    admin = factories.SuperuserFactory()
    from django.test import Client

    browser = Client()
    browser.force_login(admin)
    page = browser.get(reverse("admin:catalog_csvimport_changelist"))
    assert page.status_code == 200
    assert "3 / 3" in page.content.decode()
    job = CsvImport.objects.get()
    assert browser.get(reverse("admin:catalog_csvimport_change", args=[job.pk])).status_code == 200
    assert BASE == "/api/v1/staff"

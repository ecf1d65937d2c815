import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.csv.products import PRODUCT_COLUMNS
from catalog.csv.stock import STOCK_IMPORT_COLUMNS
from catalog.models import MovementReason, Product, ProductVariant, Stock, StockMovement
from catalog.stock.services import stock_receive
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/staff"


def _csv(columns: list[str], rows: list[dict], *, bom: bool = True) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def _upload(client, path: str, content: bytes, language: str = "en"):
    """Upload a CSV; the problems come back in ``language`` (English unless asked)."""
    upload = SimpleUploadedFile("file.csv", content, content_type="text/csv")
    return client.post(
        f"{BASE}/{path}", {"file": upload}, format="multipart", HTTP_ACCEPT_LANGUAGE=language
    )


def _download(client, path: str) -> tuple[int, str, list[dict]]:
    response = client.get(f"{BASE}/{path}")
    raw = b"".join(response.streaming_content).decode("utf-8")
    return (
        response.status_code,
        response["Content-Type"],
        list(csv.DictReader(io.StringIO(raw[1:]))),
    )


def _catalog_state() -> list:
    return [
        list(Product.objects.order_by("pk").values_list("slug", "name_zh", "name_en", "is_active")),
        list(ProductVariant.objects.order_by("pk").values_list("sku", "price", "product_id")),
    ]


def _product_row(**values) -> dict:
    row = {
        "product_slug": "fu-scroll",
        "product_name_zh": "福字卷轴",
        "product_name_en": "Fu Character Scroll",
        "sku": "FU-SCROLL-S",
        "price": "128.00",
    }
    return {**row, **values}


@pytest.fixture
def editor(museum):
    return factories.PartnerStaffFactory(partner=museum).user


# Products


def _fu_fan() -> Product:
    collection = factories.CollectionFactory(slug="wisdom")
    relic = factories.RelicFactory(slug="fu-stele")
    factories.TagFactory(slug="calligraphy")
    factories.TagFactory(slug="gift")
    product = factories.ProductFactory(
        slug="fu-fan", collection=collection, relic=relic, edition_size=300, name_zh="福扇"
    )
    product.tags.set(factories.TagFactory._meta.model.objects.all())
    factories.ProductVariantFactory(product=product, sku="FU-FAN-1", price=Decimal("88.50"))
    factories.ProductVariantFactory(product=product, sku="FU-FAN-2", price=Decimal("99.00"))
    return product


def test_products_export_then_import_round_trip(editor):
    product = _fu_fan()
    client = client_for(editor)

    status, content_type, rows = _download(client, "products/export.csv")

    assert (status, content_type) == (200, "text/csv; charset=utf-8")
    assert [row["sku"] for row in rows] == ["FU-FAN-1", "FU-FAN-2"]
    assert rows[0] | {"description_zh": "", "description_en": ""} == {
        "product_slug": "fu-fan",
        "product_name_zh": "福扇",
        "product_name_en": product.name_en,
        "description_zh": "",
        "description_en": "",
        "collection": "wisdom",
        "relic": "fu-stele",
        "tags": "calligraphy|gift",
        "edition_size": "300",
        "purchase_limit": "",
        "product_is_active": "true",
        "sku": "FU-FAN-1",
        "variant_name_zh": "标准",
        "variant_name_en": "Standard",
        "price": "88.50",
        "weight_grams": "0",
        "position": "0",
        "variant_is_active": "true",
    }

    rows[1]["price"] = "109.90"
    rows.append(_product_row(tags="gift", description_en="A hanging scroll."))
    response = _upload(client, "products/import/", _csv(PRODUCT_COLUMNS, rows))

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "products_created": 1,
        "products_updated": 1,
        "variants_created": 1,
        "variants_updated": 2,
    }
    assert ProductVariant.objects.get(sku="FU-FAN-2").price == Decimal("109.90")
    scroll = Product.objects.get(slug="fu-scroll")
    assert (scroll.name_zh, scroll.name_en, scroll.edition_size) == (
        "福字卷轴",
        "Fu Character Scroll",
        None,
    )
    assert [t.slug for t in scroll.tags.all()] == ["gift"]
    assert scroll.variants.get().price == Decimal("128.00")
    assert "fu-scroll-s" in scroll.search_text
    assert "a hanging scroll." in scroll.search_text
    assert _download(client, "products/export.csv")[2][:2] == rows[:2]


def test_products_import_reads_files_without_a_byte_order_mark(editor):
    response = _upload(
        client_for(editor), "products/import/", _csv(PRODUCT_COLUMNS, [_product_row()], bom=False)
    )

    assert response.status_code == 200
    assert Product.objects.get().name_zh == "福字卷轴"


def test_products_import_refuses_the_whole_file_listing_each_bad_row(editor):
    factories.ProductVariantFactory(sku="TAKEN", price=Decimal("10.00"))
    before = _catalog_state()
    rows = [
        _product_row(),
        _product_row(sku="FU-SCROLL-M", price="12.345"),
        _product_row(product_slug="x", sku="X1", product_name_en=""),
        _product_row(product_slug="y", sku="FU-SCROLL-S", collection="nope"),
        _product_row(product_slug="z", sku="TAKEN"),
        _product_row(product_slug="w", sku="W1", edition_size="0", product_is_active="perhaps"),
        _product_row(sku="FU-SCROLL-L", product_name_en="Another name"),
        _product_row(product_slug="v", sku="FU-SCROLL-S"),
    ]

    response = _upload(client_for(editor), "products/import/", _csv(PRODUCT_COLUMNS, rows))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected"
    assert [(row["row"], row["errors"]) for row in body["rows"]] == [
        (3, ["price: At most two decimal places (fen)."]),
        (4, ["product_name_en: This field is required."]),
        (5, ["collection: No collection 'nope'."]),
        (6, [f"sku: TAKEN belongs to product {ProductVariant.objects.get().product.slug}."]),
        (7, ["edition_size: Must be at least 1."]),
        (
            8,
            [
                "product_slug: fu-scroll has different product values on row 2; "
                "repeat them exactly on every row."
            ],
        ),
        (9, ["sku: FU-SCROLL-S is also on row 2."]),
    ]
    assert body["fields"]["row_3"] == ["price: At most two decimal places (fen)."]
    assert _catalog_state() == before


def test_products_import_refuses_an_edition_size_below_units_already_made(editor, superuser):
    variant = factories.ProductVariantFactory(sku="LTD", product__edition_size=10)
    stock_receive(
        variant=variant,
        warehouse=factories.WarehouseFactory(),
        quantity=6,
        batch_reference="B",
        user=superuser,
    )
    row = _product_row(
        product_slug=variant.product.slug, sku="LTD", edition_size="5", relic="", collection=""
    )

    response = _upload(client_for(editor), "products/import/", _csv(PRODUCT_COLUMNS, [row]))

    assert response.status_code == 400
    assert response.json()["rows"] == [
        {"row": 2, "errors": ["edition_size: 6 units already exist."]}
    ]
    assert Product.objects.get().edition_size == 10


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("名字,价格\n".encode("gbk"), "The file is not UTF-8 text; save it as 'CSV UTF-8'."),
        (b"", "The file is empty; the first row must name the columns."),
        (",".join(PRODUCT_COLUMNS).encode() + b"\n", "The file has no data rows."),
        (b"product_slug,sku\nfu,FU-1\n", None),
    ],
    ids=["not-utf8", "empty", "header-only", "missing-columns"],
)
def test_products_import_refuses_bad_files(editor, content, message):
    response = _upload(client_for(editor), "products/import/", content)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected"
    if message is not None:
        assert body["fields"] == {"file": [message]}
    else:
        assert body["fields"]["file"][0].startswith("Missing columns: product_name_zh,")
    assert Product.objects.count() == 0


def test_products_import_without_a_file_is_refused(editor):
    response = client_for(editor).post(
        f"{BASE}/products/import/", {}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"file": ["Attach the CSV file as the form field 'file'."]}


def test_products_import_problems_are_in_chinese_for_chinese_browsers(editor):
    rows = [
        _product_row(price="12.345"),
        _product_row(product_slug="x", sku="X1", collection="nope"),
    ]

    response = _upload(client_for(editor), "products/import/", _csv(PRODUCT_COLUMNS, rows), "zh-CN")

    assert response.status_code == 400
    assert response.json()["message"] == "文件未导入：请修改所列各行后重新上传。"
    assert response.json()["rows"] == [
        {"row": 2, "errors": ["price: 最多保留两位小数（精确到分）。"]},
        {"row": 3, "errors": ["collection: 没有系列“nope”。"]},
    ]
    assert Product.objects.count() == 0


def test_products_import_is_refused_to_staff_without_a_partner():
    response = _upload(
        client_for(factories.StaffFactory()),
        "products/import/",
        _csv(PRODUCT_COLUMNS, [_product_row()]),
    )

    assert (response.status_code, response.json()["code"]) == (403, "catalog_read_only")
    assert Product.objects.count() == 0


def test_products_export_needs_staff():
    response = client_for(factories.UserFactory()).get(f"{BASE}/products/export.csv")

    assert response.status_code == 403


# Stock


def test_stock_export_lists_the_partners_stock(editor, museum, media):
    store = factories.WarehouseFactory(partner=museum, code="museum-main")
    stock = factories.StockFactory(
        warehouse=store, quantity=4, quantity_reserved=1, low_stock_threshold=3
    )
    factories.StockFactory(warehouse=factories.WarehouseFactory(partner=media), quantity=9)

    status, _, rows = _download(client_for(editor), "stock/export.csv")

    assert status == 200
    assert rows == [
        {
            "warehouse": "museum-main",
            "partner": "museum",
            "sku": stock.variant.sku,
            "product_slug": stock.variant.product.slug,
            "quantity": "4",
            "quantity_reserved": "1",
            "quantity_available": "3",
            "low_stock_threshold": "3",
            "is_low": "true",
        }
    ]


def _stock_rows(*rows: tuple) -> bytes:
    return _csv(
        STOCK_IMPORT_COLUMNS, [dict(zip(STOCK_IMPORT_COLUMNS, row, strict=False)) for row in rows]
    )


def test_stock_import_applies_receipts_and_counts(editor, museum):
    factories.WarehouseFactory(partner=museum, code="museum-main")
    factories.ProductVariantFactory(sku="FU-1")
    factories.ProductVariantFactory(sku="FU-2")

    response = _upload(
        client_for(editor),
        "stock/import/",
        _stock_rows(
            ("receipt", "museum-main", "FU-1", "30", "B-2024-09"),
            ("receipt", "museum-main", "FU-2", "5", "B-2024-09"),
            ("count", "museum-main", "FU-1", "28", "", "Shelf count"),
            ("count", "museum-main", "FU-2", "5"),
        ),
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"receipts": 2, "counts": 1, "unchanged": 1}
    assert dict(Stock.objects.values_list("variant__sku", "quantity")) == {"FU-1": 28, "FU-2": 5}
    count = StockMovement.objects.get(reason=MovementReason.COUNT)
    assert (count.quantity_delta, count.note, count.created_by) == (-2, "Shelf count", editor)


def test_stock_import_refuses_bad_rows_and_stores_nothing(editor, museum, media):
    factories.WarehouseFactory(partner=museum, code="museum-main")
    factories.WarehouseFactory(partner=media, code="media-main")
    factories.ProductVariantFactory(sku="FU-1")

    response = _upload(
        client_for(editor),
        "stock/import/",
        _stock_rows(
            ("receipt", "museum-main", "FU-1", "30", "B1"),
            ("receipt", "museum-main", "FU-1", "3", ""),
            ("sell", "museum-main", "FU-1", "3"),
            ("receipt", "media-main", "FU-1", "3", "B1"),
            ("count", "museum-main", "NOPE", "3"),
            ("count", "museum-main", "FU-1", "-1"),
            ("count", "museum-main", "FU-1", "2"),
            ("count", "museum-main", "FU-1", "3"),
        ),
    )

    assert response.status_code == 400
    assert [(row["row"], row["errors"]) for row in response.json()["rows"]] == [
        (3, ["batch_reference: This field is required."]),
        (4, ["action: Use receipt or count."]),
        (5, ["warehouse: media-main is not one of your warehouses."]),
        (6, ["sku: No variant 'NOPE'."]),
        (7, ["quantity: Must be at least 0."]),
        (9, ["sku: FU-1 in museum-main is also counted on row 8."]),
    ]
    assert Stock.objects.count() == 0
    assert StockMovement.objects.count() == 0


def test_stock_import_rolls_back_earlier_rows_when_a_later_one_breaks_a_rule(editor, museum):
    factories.WarehouseFactory(partner=museum, code="museum-main")
    factories.ProductVariantFactory(sku="FU-1")
    factories.ProductVariantFactory(sku="LTD-1", product__edition_size=10)

    response = _upload(
        client_for(editor),
        "stock/import/",
        _stock_rows(
            ("receipt", "museum-main", "FU-1", "30", "B1"),
            ("receipt", "museum-main", "LTD-1", "8", "B1"),
            ("receipt", "museum-main", "LTD-1", "3", "B2"),
        ),
    )

    assert response.status_code == 400
    [row] = response.json()["rows"]
    assert row["row"] == 4
    assert row["errors"][0].startswith("edition_size_exceeded: ")
    assert Stock.objects.count() == 0
    assert StockMovement.objects.count() == 0


def test_stock_import_is_refused_to_staff_without_a_partner(museum):
    factories.WarehouseFactory(partner=museum, code="museum-main")
    factories.ProductVariantFactory(sku="FU-1")

    response = _upload(
        client_for(factories.StaffFactory()),
        "stock/import/",
        _stock_rows(("receipt", "museum-main", "FU-1", "3", "B1")),
    )

    assert (response.status_code, response.json()["code"]) == (403, "warehouse_not_yours")
    assert Stock.objects.count() == 0

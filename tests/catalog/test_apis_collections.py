"""The public collections, and the API documentation of the catalog."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.catalog.public_api import (
    COLLECTIONS,
    api_get,
    vary,
)
from tests.factories import (
    CollectionFactory,
)

pytestmark = pytest.mark.django_db


# Collections


def test_collection_list_in_chinese_by_default_and_english_on_request():
    CollectionFactory(slug="fabrics", name_zh="锦绣华章", name_en="Fabrics of Glory", position=2)
    CollectionFactory(
        slug="blossoms", name_zh="智慧之花", name_en="", description_zh="文房", position=1
    )
    CollectionFactory(slug="retired", is_active=False)

    chinese = api_get(COLLECTIONS)
    english = api_get(COLLECTIONS, {"lang": "en"})

    assert chinese.status_code == english.status_code == 200
    assert chinese.json() == [
        {"slug": "blossoms", "name": "智慧之花", "description": "文房"},
        {"slug": "fabrics", "name": "锦绣华章", "description": ""},
    ]
    # An English text that is missing falls back to the Chinese one.
    assert english.json() == [
        {"slug": "blossoms", "name": "智慧之花", "description": "文房"},
        {"slug": "fabrics", "name": "Fabrics of Glory", "description": ""},
    ]
    assert chinese["Content-Language"] == "zh-Hans"
    assert english["Content-Language"] == "en"
    assert chinese["Cache-Control"] == "public, max-age=30"
    assert vary(chinese) >= {"accept-language", "x-channel-key"}
    assert chinese["ETag"].startswith('W/"')
    assert chinese["ETag"] != english["ETag"]


def test_collection_detail_and_its_not_found():
    CollectionFactory(slug="fabrics", name_en="Fabrics of Glory", description_en="Silks")
    CollectionFactory(slug="retired", is_active=False)

    response = api_get(f"{COLLECTIONS}fabrics/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 200
    assert response.json() == {
        "slug": "fabrics",
        "name": "Fabrics of Glory",
        "description": "Silks",
    }
    assert response["Content-Language"] == "en"

    for slug in ["retired", "missing"]:
        missing = api_get(f"{COLLECTIONS}{slug}/", {"lang": "en"})
        assert missing.status_code == 404
        assert missing.json() == {
            "code": "collection_not_found",
            "message": "No such collection.",
            "fields": {},
        }


# API documentation


def test_schema_documents_every_catalog_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]

    expected = {
        # 400: a NUL character in the URL, refused before any view (every operation).
        "/api/v1/collections/": ("catalog_collection_list", {"200", "304", "400"}),
        "/api/v1/collections/{slug}/": ("catalog_collection_get", {"200", "304", "400", "404"}),
        "/api/v1/products/": (
            "catalog_product_list",
            {"200", "304", "400", "401", "403", "404"},
        ),
        "/api/v1/products/{slug}/": (
            "catalog_product_get",
            {"200", "304", "400", "401", "403", "404"},
        ),
    }
    for path, (operation_id, responses) in expected.items():
        operation = paths[path]["get"]
        assert operation["operationId"] == operation_id
        assert set(operation["responses"]) == responses
    list_parameters = {p["name"] for p in paths["/api/v1/products/"]["get"]["parameters"]}
    assert list_parameters == {
        "lang",
        "Accept-Language",
        "If-None-Match",
        "channel",
        "X-Channel-Key",
        "page",
        "cursor",
        "page_size",
        "collection",
        "tag",
        "price_min",
        "price_max",
        "in_stock",
        "q",
        "ordering",
    }

"""The front door: what a person or a program finds at / and /api/v1/."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import resolve

pytestmark = pytest.mark.django_db


def test_the_home_page_says_what_this_is_and_links_to_the_docs_admin_and_dashboard():
    response = Client().get("/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "文创商店" in page
    for href in ("/api/v1/", "/api/docs/", "/admin/", "/partners/dashboard/", "/health/"):
        assert f'href="{href}"' in page


def test_the_api_index_lists_every_resource_by_audience():
    response = Client().get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert body["docs"] == "/api/docs/"
    assert body["schema"] == "/api/schema/"
    resources = body["resources"]
    assert resources["storefront"]["catalog-product-list"] == "/api/v1/products/"
    assert resources["storefront"]["cart-line-add"] == "/api/v1/carts/{token}/lines/"
    assert resources["staff"]["staff-order-list"] == "/api/v1/staff/orders/"
    assert resources["partners"]["settlements"] == "/api/v1/partners/settlements/"
    for paths in resources.values():
        for path in paths.values():
            sample = path
            for name in ("token", "device_id"):  # the paths that take a UUID
                sample = sample.replace("{" + name + "}", "00000000-0000-0000-0000-000000000000")
            sample = re.sub(r"\{\w+_id\}", "1", sample)  # the paths that take a number
            sample = re.sub(r"\{\w+\}", "csv", sample)  # slugs, codes, numbers, formats
            assert "{" not in sample, path
            resolve(sample)


def test_the_api_index_names_each_path_as_the_schema_does():
    index = Client().get("/api/v1/").json()
    schema = Client().get("/api/schema/", {"format": "json"}).json()

    paths = {path for group in index["resources"].values() for path in group.values()}

    assert paths - set(schema["paths"]) == set()


@pytest.mark.parametrize("path", ["/", "/api/v1/"])
def test_the_front_door_answers_only_reads_and_says_so_in_the_error_shape(path):
    response = Client().post(path)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["code"] == "method_not_allowed"
    assert set(response.json()) == {"code", "message", "fields"}

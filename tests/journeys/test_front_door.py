"""What a person or a program finds first: the home page and its links, the API index
and its paths, and every picture the catalog shows."""

from __future__ import annotations

import re

import pytest
import requests

from tests.journeys.shop_api import API, ShopApi
from tests.journeys.stacks import Stack

pytestmark = pytest.mark.journey

SAMPLE_VALUES = {
    "token": "00000000-0000-0000-0000-000000000000",
    "device_id": "00000000-0000-0000-0000-000000000000",
    "fmt": "csv",
    "statement_format": "csv",
}


def followed(stack: Stack, path: str) -> requests.Response:
    return requests.get(f"{stack.base_url}{path}", timeout=30)


def test_the_home_page_links_the_api_its_docs_the_admin_and_the_dashboard(stack: Stack):
    home = followed(stack, "/")
    assert home.status_code == 200
    assert home.headers["Content-Type"].startswith("text/html")
    links = set(re.findall(r'href="(/[^"]*)"', home.text))
    assert {"/api/v1/", "/api/docs/", "/admin/", "/partners/dashboard/"} <= links

    for link in sorted(links):
        answer = followed(stack, link)  # the admin and the dashboard: their sign-in page
        assert answer.status_code == 200, (link, answer.status_code, answer.text[:500])
    docs = followed(stack, "/api/docs/")
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text)
    assert assets
    for asset in assets:
        assert followed(stack, asset).status_code == 200, asset


def test_the_api_index_lists_paths_that_exist(stack: Stack):
    api = ShopApi(stack.base_url)
    index = api.get(f"{API}/")
    schema = api.get("/api/schema/", params={"format": "json"})
    paths = [path for group in index["resources"].values() for path in group.values()]
    assert len(paths) > 40

    assert set(paths) <= set(schema["paths"]), set(paths) - set(schema["paths"])
    for path in paths:
        concrete = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_VALUES.get(m.group(1), "1"), path)
        # Every view answers OPTIONS (its methods) before it looks anything up.
        answer = api.request("OPTIONS", concrete, expect=(200, 401, 403))
        assert answer.headers["Content-Type"].startswith("application/json"), concrete
    # A path that is not there: the error shape too, on every stack.
    api.refused("GET", f"{API}/no-such-thing/", 404, "not_found")


def image_urls(product: dict) -> list[str]:
    pictures = [product.get("image"), *(product.get("images") or [])]
    urls = [
        size["url"]
        for picture in pictures
        if picture
        for size in (picture, picture["thumbnail"], picture["large"])
    ]
    relic = product.get("relic") or {}
    return [*urls, *([relic["image_url"]] if relic.get("image_url") else [])]


def test_every_picture_the_catalog_names_answers_with_an_image(stack: Stack):
    urls: set[str] = set()
    pages: dict[str, ShopApi] = {}  # each product's page, read in a channel that lists it
    for channel, key in sorted(stack.channel_keys.items()):
        storefront = ShopApi(stack.base_url, channel_key=key)
        page = storefront.get(f"{API}/products/")
        products = list(page["results"])
        while page["next"]:
            page = storefront.get(page["next"].removeprefix(stack.base_url))
            products += page["results"]
        assert products, channel
        for product in products:
            urls.update(image_urls(product))
            pages.setdefault(product["slug"], storefront)
    for slug, storefront in sorted(pages.items()):
        urls.update(image_urls(storefront.get(f"{API}/products/{slug}/")))
    assert len(pages) >= 30

    missing = []
    for url in sorted(urls):
        answer = followed(stack, url) if url.startswith("/") else requests.get(url, timeout=30)
        if answer.status_code != 200 or not answer.headers["Content-Type"].startswith("image/"):
            missing.append((url, answer.status_code, answer.headers.get("Content-Type")))
    assert missing == []

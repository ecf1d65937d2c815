"""Every picture address the catalog API gives for the demo catalog answers with that
picture, at the width and height the API states."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from PIL import Image

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


@pytest.fixture
def demo_catalog(tmp_path, settings):
    settings.SHOP_SERVE_MEDIA = True
    call_command(
        "load_demo", keys_file=str(tmp_path / "keys.json"), no_orders=True, stdout=StringIO()
    )


def _stated(picture: dict) -> list[tuple[str, int, int]]:
    """(address, width, height) of a picture and of each of its sizes."""
    return [
        (picture["url"], picture["width"], picture["height"]),
        *(
            (size["url"], size["width"], size["height"])
            for size in (picture["thumbnail"], picture["large"])
        ),
    ]


def _catalog_pictures(client: Client) -> tuple[set[tuple[str, int, int]], int]:
    """Every picture the list and the product pages give, and how many products."""
    stated: set[tuple[str, int, int]] = set()
    listed = client.get(PRODUCTS, {"page_size": 100}).json()
    assert listed["next"] is None
    for product in listed["results"]:
        stated.update(_stated(product["image"]))
        detail = client.get(f"{PRODUCTS}{product['slug']}/").json()
        assert detail["image"] == detail["images"][0] == product["image"]
        for picture in detail["images"]:
            stated.update(_stated(picture))
    return stated, listed["count"]


def test_every_picture_address_the_api_gives_answers_with_that_picture(demo_catalog):
    client = Client()
    stated, products = _catalog_pictures(client)

    # 30 products, 38 pictures, each an original and two sizes.
    assert (products, len(stated)) == (30, 38 * 3)
    for url, width, height in sorted(stated):
        assert url.startswith("/media/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/jpeg", url
        content = b"".join(response.streaming_content)
        with Image.open(io.BytesIO(content)) as picture:
            assert (picture.format, picture.size) == ("JPEG", (width, height)), url


def test_pictures_are_not_answered_where_the_shop_does_not_serve_media(demo_catalog, settings):
    client = Client()
    url = client.get(PRODUCTS).json()["results"][0]["image"]["url"]
    settings.SHOP_SERVE_MEDIA = False

    response = client.get(url)

    assert response.status_code == 404

"""What the public catalog API tests call and compare: the endpoints, a GET as a
storefront sends it, and the study seal's pictures as the API gives them."""

from __future__ import annotations

from rest_framework.test import APIClient

from catalog.models import ProductImage

PRODUCTS = "/api/v1/products/"
COLLECTIONS = "/api/v1/collections/"


def api_get(url: str, params: dict | None = None, **headers):
    return APIClient().get(url, params or {}, **headers)


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response["Vary"].split(",")}


def result_slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def front_picture(alt: str) -> dict:
    """The seal's first picture as the API gives it: 1600 x 1000, a JPEG."""
    picture = ProductImage.objects.get(product__slug="study-seal", position=1)
    return {
        "url": "/media/products/study-seal/seal-front.jpg",
        "width": 1600,
        "height": 1000,
        "alt": alt,
        "thumbnail": {"url": picture.thumbnail.url, "width": 320, "height": 200},
        "large": {"url": picture.large.url, "width": 1200, "height": 750},
    }


def side_picture(alt: str) -> dict:
    """The seal's second picture: 900 x 1200, a PNG, smaller than the large size."""
    picture = ProductImage.objects.get(product__slug="study-seal", position=2)
    return {
        "url": "/media/products/study-seal/seal-side.png",
        "width": 900,
        "height": 1200,
        "alt": alt,
        "thumbnail": {"url": picture.thumbnail.url, "width": 240, "height": 320},
        "large": {"url": picture.large.url, "width": 900, "height": 1200},
    }

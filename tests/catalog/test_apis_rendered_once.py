"""A catalog answer is rendered once: the JSON its ETag is worked out from is the body it
is sent with (and, where answers are kept, the body kept)."""

from __future__ import annotations

import hashlib
import json

import pytest
from rest_framework.renderers import JSONRenderer

from tests.catalog.public_api import COLLECTIONS, PRODUCTS, api_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """The bodies JSONRenderer renders, in order."""
    rendered: list[bytes] = []
    render = JSONRenderer.render

    def counted(self, data, accepted_media_type=None, renderer_context=None):
        body = render(self, data, accepted_media_type, renderer_context)
        rendered.append(body)
        return body

    monkeypatch.setattr(JSONRenderer, "render", counted)
    return rendered


def etag_of(body: bytes, lang: str) -> str:
    return 'W/"' + hashlib.sha256(lang.encode() + b"\n" + body).hexdigest()[:32] + '"'


@pytest.mark.parametrize("url", [PRODUCTS, f"{PRODUCTS}study-seal/", COLLECTIONS])
def test_an_answer_is_rendered_once_and_its_etag_is_of_the_body_sent(seal, renders, url):
    response = api_get(url, {"lang": "en"})

    assert response.status_code == 200
    assert renders == [response.content]
    assert response["ETag"] == etag_of(response.content, "en")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == response.json()


def test_a_kept_answer_is_rendered_once_too(seal, renders, settings):
    settings.CATALOG_CACHE_SECONDS = 60
    first = api_get(PRODUCTS, {"page_size": 1})
    again = api_get(PRODUCTS, {"page_size": 1})

    assert first.status_code == again.status_code == 200
    assert renders == [first.content]
    assert again.content == first.content
    assert again["ETag"] == first["ETag"] == etag_of(first.content, "zh")


def test_an_indented_answer_asked_for_is_indented_with_the_etag_of_the_plain_one(seal, renders):
    plain = api_get(PRODUCTS, {"lang": "en"})
    renders.clear()

    indented = api_get(PRODUCTS, {"lang": "en"}, HTTP_ACCEPT="application/json; indent=2")

    assert indented.content.startswith(b'{\n  "count": 1')
    assert json.loads(indented.content) == plain.json()
    assert indented["ETag"] == plain["ETag"]
    assert renders == [plain.content, indented.content]


def test_a_304_has_no_body_and_renders_nothing_more(seal, renders):
    etag = api_get(PRODUCTS)["ETag"]
    renders.clear()

    again = api_get(PRODUCTS, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    # The body the ETag is worked out from (not sent); the 304's own rendering is empty.
    assert [body for body in renders if body] == [api_get(PRODUCTS).content]

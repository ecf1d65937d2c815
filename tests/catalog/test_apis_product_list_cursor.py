"""The product list by cursor (``?cursor=``): every product once, in the order of the
page numbers, for every ordering; bad cursors refused; what a cursor page costs."""

from __future__ import annotations

import base64
import datetime
import json
import string

import pytest
from django.core import signing
from django.utils import timezone

from catalog.list_entries import list_entries_refresh
from catalog.models import Product
from catalog.search import product_search_text_refresh
from tests.catalog.public_api import PRODUCTS, api_get, result_slugs
from tests.factories import ProductChannelListingFactory, TagFactory
from tests.factories import product_with_variant as make_product

pytestmark = pytest.mark.django_db

ORDERINGS = ["slug", "name", "-name", "price", "-price", "newest", "relevance"]

# Slugs, names and prices with ties everywhere: equal prices, equal names in one
# language or both, equal creation times; the slug alone tells them apart.
PRODUCTS_TIED = [
    ("a-ink", "墨", "Ink", "30.00", 0),
    ("b-fan", "扇", "Fan", "10.00", 1),
    ("c-fan", "扇", "Fan", "10.00", 1),
    ("d-seal", "印", "Seal", "30.00", 2),
    ("e-fan", "扇", "Fan", "10.00", 1),
    ("f-ink", "墨", "Ink", "20.00", 0),
    ("g-seal", "印", "Seal", "30.00", 2),
    ("h-cup", "杯", "Cup", "20.00", 3),
    ("i-ink", "墨", "Ink", "30.00", 0),
]


@pytest.fixture
def tied():
    created = timezone.now().replace(microsecond=123456)
    for slug, name_zh, name_en, price, minutes in PRODUCTS_TIED:
        product = make_product(slug=slug, name_zh=name_zh, name_en=name_en, price=price)
        Product.objects.filter(pk=product.pk).update(
            created_at=created + datetime.timedelta(minutes=minutes)
        )
        list_entries_refresh(product_ids=[product.pk])  # changed behind the services' back


def _walk(params: dict, key: str) -> list[str]:
    """The slugs of every page from the first answer on, following ``key`` (next_cursor
    or previous_cursor) until it is null."""
    slugs: list[str] = []
    response = api_get(PRODUCTS, params)
    for _ in range(20):
        slugs += result_slugs(response)
        cursor = response.json()[key]
        if cursor is None:
            return slugs
        response = api_get(
            PRODUCTS, {**{k: v for k, v in params.items() if k != "page"}, "cursor": cursor}
        )
    raise AssertionError("the cursors went round in a circle")


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_walking_by_cursor_gives_every_product_once_in_the_order_of_the_pages(tied, ordering, lang):
    params = {"ordering": ordering, "lang": lang}
    in_order = result_slugs(api_get(PRODUCTS, params))
    assert len(in_order) == len(PRODUCTS_TIED)

    assert _walk({**params, "page_size": 2}, "next_cursor") == in_order
    # Back from the last page by previous_cursor: the same products, the other way.
    backwards = _walk({**params, "page_size": 2, "page": 5}, "previous_cursor")
    assert backwards == [slug for pair in _pairs_from_the_end(in_order) for slug in pair]


def _pairs_from_the_end(slugs: list[str]) -> list[list[str]]:
    """The pages a walk backwards by two shows: the last page (page 5 holds one product),
    then two at a time before it."""
    last, rest = slugs[8:], slugs[:8]
    return [last, *[rest[at : at + 2] for at in range(6, -1, -2)]]


def test_a_cursor_answer_links_to_its_neighbours_by_cursor(tied):
    first = api_get(PRODUCTS, {"page_size": 3, "ordering": "price", "lang": "en"}).json()
    assert (first["previous_cursor"], first["previous"]) == (None, None)
    assert first["next"].endswith("?lang=en&ordering=price&page=2&page_size=3")

    second = api_get(
        PRODUCTS,
        {"page_size": 3, "ordering": "price", "lang": "en", "cursor": first["next_cursor"]},
    ).json()
    assert [item["slug"] for item in second["results"]] == ["f-ink", "h-cup", "a-ink"]
    assert second["next"] == (
        f"http://testserver/api/v1/products/?cursor={second['next_cursor']}"
        "&lang=en&ordering=price&page_size=3"
    )
    assert second["previous"].startswith(
        f"http://testserver/api/v1/products/?cursor={second['previous_cursor']}&"
    )
    assert (second["count"], second["count_capped"], second["did_you_mean"]) == (9, False, None)
    assert set(second) == set(first)

    third = api_get(second["next"].removeprefix("http://testserver")).json()
    assert [item["slug"] for item in third["results"]] == ["d-seal", "g-seal", "i-ink"]
    assert (third["next"], third["next_cursor"]) == (None, None)
    back = api_get(second["previous"].removeprefix("http://testserver")).json()
    assert [item["slug"] for item in back["results"]] == ["b-fan", "c-fan", "e-fan"]
    assert back["previous_cursor"] is None


def test_a_cursor_keeps_its_place_when_products_are_added_before_it(tied):
    first = api_get(PRODUCTS, {"page_size": 4}).json()
    make_product(slug="aa-new")  # sorts first: a page number would now repeat "d-seal"

    second = api_get(PRODUCTS, {"page_size": 4, "cursor": first["next_cursor"]})
    assert result_slugs(second) == ["e-fan", "f-ink", "g-seal", "h-cup"]


def test_a_list_by_cursor_counts_no_further_than_its_cap(tied, monkeypatch):
    monkeypatch.setattr("catalog.selectors.LIST_COUNT_MAX", 3)
    cursor = api_get(PRODUCTS, {"page_size": 2, "page": 3}).json()["next_cursor"]

    deep = api_get(PRODUCTS, {"page_size": 2, "cursor": cursor}).json()
    assert (deep["count"], deep["count_capped"]) == (3, True)
    assert [item["slug"] for item in deep["results"]] == ["g-seal", "h-cup"]


def test_a_search_has_no_cursors(tied):
    for product in Product.objects.all():
        product_search_text_refresh(product)

    answer = api_get(PRODUCTS, {"q": "ink", "page_size": 1}).json()

    assert answer["next"] is not None
    assert (answer["next_cursor"], answer["previous_cursor"]) == (None, None)


def _forged(payload: list) -> str:
    """The payload as a cursor is written, signed with the wrong key."""
    return signing.Signer(key="not-the-site-key", salt="catalog.list_cursor", sep=".").sign_object(
        payload
    )


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"cursor": "garbage"}, "This is not a cursor of this list; start again from page 1."),
        ({"cursor": ""}, "This is not a cursor of this list; start again from page 1."),
        (
            {"cursor": base64.urlsafe_b64encode(b'[1,"slug",["zzz"],0]').decode()},
            "This is not a cursor of this list; start again from page 1.",
        ),
        (
            {"cursor": _forged([1, "slug", ["a-ink"], 0])},
            "This is not a cursor of this list; start again from page 1.",
        ),
        ({"cursor": "x" * 3000}, "This is not a cursor of this list; start again from page 1."),
        (
            {"cursor": "price", "ordering": "name"},
            "This cursor was given for another ordering or language.",
        ),
        (
            {"cursor": "name-zh", "ordering": "name", "lang": "en"},
            "This cursor was given for another ordering or language.",
        ),
        ({"cursor": "slug", "page": "2"}, "Give either page or cursor, not both."),
        ({"cursor": "slug", "q": "ink"}, "Search results are paged by page number, not by cursor."),
    ],
)
def test_a_bad_cursor_is_refused(tied, params, reason):
    made_for = {
        "slug": {},
        "price": {"ordering": "price"},
        "name-zh": {"ordering": "name", "lang": "zh"},
    }
    if params["cursor"] in made_for:
        asked = {"page_size": 2, **made_for[params["cursor"]]}
        params = {**params, "cursor": api_get(PRODUCTS, asked).json()["next_cursor"]}

    response = api_get(PRODUCTS, {"lang": "en", **params})

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_cursor",
        "message": "The cursor is not valid.",
        "fields": {"cursor": [reason]},
    }


@pytest.mark.parametrize(
    "key",
    [
        ["not-a-price", "a-ink"],
        [None, "a-ink"],
        [{"price": 1}, "a-ink"],
        ["NaN", "a-ink"],
        ["10.00"],
        ["10.00", "a-ink", "more"],
    ],
)
def test_a_cursor_signed_by_the_shop_with_a_broken_key_is_refused(tied, key):
    """What a cursor of another version of the shop could hold: read, never a 500."""
    cursor = signing.Signer(salt="catalog.list_cursor", sep=".").sign_object(
        [1, "price_from,slug", key, 0]
    )

    response = api_get(PRODUCTS, {"ordering": "price", "cursor": cursor})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_a_cursor_outlives_a_rotation_of_the_key_while_the_old_key_is_a_fallback(tied, settings):
    settings.SECRET_KEY = "the-key-before-the-rotation-" + "o" * 30
    cursor = api_get(PRODUCTS, {"page_size": 4}).json()["next_cursor"]

    settings.SECRET_KEY = "the-key-after-the-rotation-" + "n" * 30
    settings.SECRET_KEY_FALLBACKS = ["the-key-before-the-rotation-" + "o" * 30]
    kept = api_get(PRODUCTS, {"page_size": 4, "cursor": cursor})
    assert result_slugs(kept) == ["e-fan", "f-ink", "g-seal", "h-cup"]

    settings.SECRET_KEY_FALLBACKS = []  # the old key retired: its cursors end
    retired = api_get(PRODUCTS, {"page_size": 4, "cursor": cursor})
    assert retired.status_code == 400
    assert retired.json()["code"] == "invalid_cursor"


def test_a_cursor_is_written_in_characters_safe_in_a_link(tied):
    first = api_get(PRODUCTS, {"page_size": 2, "ordering": "name"}).json()
    cursor, last = first["next_cursor"], first["results"][-1]

    assert set(cursor) <= set(string.ascii_letters + string.digits + "-_.")
    # The sort key and the slug of the page's last product, for the ordering it was given.
    payload = json.loads(base64.urlsafe_b64decode(cursor.split(".")[0] + "=="))
    assert payload == [1, "name_zh,slug", [last["name"], last["slug"]], 0]


def test_a_cursor_page_costs_what_the_first_page_does(channel, django_assert_num_queries):
    for index in range(30):
        product = make_product(slug=f"p-{index:02d}", price=f"{10 + index % 3}.00")
        product.tags.add(TagFactory(slug=f"tag-{index % 2}"))
        ProductChannelListingFactory(product=product, channel=channel)
    params = {"channel": "museum-web", "ordering": "-price", "page_size": 5}
    # After page 3, in the middle of the products at 11.00: the slug places the cursor.
    cursor = api_get(PRODUCTS, {**params, "page": 3}).json()["next_cursor"]

    # the channel, count, the page's cards, the variants' prices and stock, tags, images
    with django_assert_num_queries(6):
        response = api_get(PRODUCTS, {**params, "cursor": cursor})
    assert result_slugs(response) == ["p-16", "p-19", "p-22", "p-25", "p-28"]

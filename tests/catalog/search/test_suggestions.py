"""Autocomplete as the shopper types, and "did you mean" in the product list, over HTTP."""

from __future__ import annotations

import pytest

from catalog.list_entries import list_entries_refresh
from catalog.models import Product
from catalog.search.suggestions import word_closest
from tests.catalog.public_api import PRODUCTS, api_get

pytestmark = pytest.mark.django_db
AUTOCOMPLETE = "/api/v1/autocomplete/"


def suggested(text: str, lang: str = "zh", kind: str = "products") -> list[str]:
    response = api_get(AUTOCOMPLETE, {"q": text, "lang": lang})
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()[kind]]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("仙鹤", "crane-round-fan"),
        ("仙", "crane-round-fan"),
        ("仙鶴", "crane-round-fan"),  # traditional
        ("xianhe", "crane-round-fan"),  # pinyin, as typed so far
        ("xht", "crane-round-fan"),  # initials
        ("cra", "crane-round-fan"),
        ("团扇", "plain-round-fan"),  # the name that starts with it, then the shortest
        ("jasm", "palace-jasmine-tea"),
        ("书", "study-seal"),
    ],
)
def test_autocomplete_offers_products_whose_names_start_with_what_was_typed(
    searchable, text, first
):
    assert suggested(text)[0] == first


def test_autocomplete_answers_in_the_request_language_with_collections_and_relics(searchable):
    response = api_get(AUTOCOMPLETE, {"q": "fu", "lang": "en"})

    body = response.json()
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert {"slug": "fu-folding-fan", "name": "Fu Folding Fan"} in body["products"]
    assert body["relics"] == [{"slug": "relic-stele", "name": "Fu Character Stele"}]
    assert suggested("智慧", kind="collections") == ["wisdom"]
    assert api_get(AUTOCOMPLETE, {"q": "智慧"}).json()["collections"][0]["name"] == "智慧之花"
    assert suggested("xianhe", kind="relics") == ["relic-crane"]


def test_autocomplete_refuses_a_missing_or_too_long_query_in_the_error_shape(searchable):
    for params in ({}, {"q": ""}, {"q": "扇" * 51}):
        response = api_get(AUTOCOMPLETE, params)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert "q" in response.json()["fields"]
    assert api_get(AUTOCOMPLETE, {"q": "%_"}).json()["products"] == []


def test_the_product_list_says_what_it_searched_for_when_the_words_found_nothing(searchable):
    corrected = api_get(PRODUCTS, {"q": "cushon"}).json()
    plain = api_get(PRODUCTS, {"q": "cushion"}).json()

    assert corrected["did_you_mean"] == "cushion"
    assert [item["slug"] for item in corrected["results"]] == ["hundred-bats-cushion"]
    assert plain["did_you_mean"] is None
    assert api_get(PRODUCTS).json()["did_you_mean"] is None


def test_the_closest_word_is_the_same_on_both_engines(searchable):
    assert word_closest("teh") == "tea"
    assert word_closest("tuanshang") == "tuanshan"
    assert word_closest("qqqq") is None


def test_autocomplete_answers_two_words_typed_from_a_word_inside_the_name(searchable):
    assert suggested("round f", lang="en")[:2] == ["plain-round-fan", "crane-round-fan"]
    assert suggested("house wis", lang="en") == ["wisteria-tea-set"]
    assert suggested("round x", lang="en") == []


def test_autocomplete_offers_only_products_on_show_in_the_channel(searchable):
    assert "crane-round-fan" in suggested("仙鹤")
    Product.objects.filter(slug="crane-round-fan").update(is_active=False)
    list_entries_refresh(product_ids=list(Product.objects.values_list("pk", flat=True)))

    assert "crane-round-fan" not in suggested("仙鹤")


def test_relics_are_suggested_by_a_word_or_their_whole_name_whole_names_first(db):
    from tests.factories.catalog import RelicFactory

    RelicFactory(slug="stele-crane", name_zh="碑", name_en="Stele of the Cranes")
    RelicFactory(slug="crane-stele", name_zh="鹤碑", name_en="Crane Stele")
    RelicFactory(slug="cranberry-jar", name_zh="罐", name_en="Jar of Cranberries")
    RelicFactory(slug="vase", name_zh="瓶", name_en="Vase")

    # "Crane Stele" starts with it; the others hold a word that does, shortest first.
    assert suggested("cran", lang="en", kind="relics") == [
        "crane-stele",
        "cranberry-jar",
        "stele-crane",
    ]
    assert suggested("cranes", lang="en", kind="relics") == ["stele-crane"]
    assert suggested("vas", lang="en", kind="relics") == ["vase"]
    assert suggested("zz", lang="en", kind="relics") == []

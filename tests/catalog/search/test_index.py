"""The search index follows the catalog's write paths: the admin (products, relics,
collections, tags, synonyms), the rebuild command; the dictionary follows the names."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from catalog.models import Product, Relic, Tag
from catalog.search.dictionary import dictionary_version, segment
from catalog.search.models import SearchSynonym, SearchTerm, SearchWord
from catalog.selectors import product_list
from tests import factories
from tests.factories.catalog import product_with_variant

pytestmark = pytest.mark.django_db


def found(text: str) -> list[str]:
    return [product.slug for product in product_list(filters={"q": text})]


def _admin() -> Client:
    client = Client()
    client.force_login(factories.SuperuserFactory())
    return client


def test_renaming_a_relic_in_the_admin_refreshes_its_products(searchable):
    relic = Relic.objects.get(slug="relic-robe")
    response = _admin().post(
        reverse("admin:catalog_relic_change", args=[relic.pk]),
        {"slug": relic.slug, "name_zh": "龙袍", "name_en": "Dragon Robe"},
    )

    assert response.status_code == 302, response.content
    assert found("龙袍") == ["dragon-pattern-scarf"]
    assert found("longpao") == ["dragon-pattern-scarf"]


def test_staff_add_synonyms_in_the_admin_in_searchable_form(searchable):
    assert found("暖手") == []
    response = _admin().post(
        reverse("admin:catalog_searchsynonym_add"),
        {"term": " 暖手 ", "replacement": "抱枕", "note": ""},
    )

    assert response.status_code == 302, response.content
    assert SearchSynonym.objects.filter(term="暖手", replacement="抱枕").exists()
    assert found("暖手") == ["hundred-bats-cushion"]
    refused = _admin().post(
        reverse("admin:catalog_searchsynonym_add"), {"term": "!!", "replacement": "扇"}
    )
    assert refused.status_code == 200
    assert not SearchSynonym.objects.filter(replacement="扇", term="!!").exists()


def test_the_dictionary_learns_the_catalogs_names_and_follows_a_rebuild(searchable):
    assert "福字碑" in segment("福字碑拓片")  # a relic's name is one word
    before = dictionary_version()
    product_with_variant(slug="plum-vase", name_zh="梅瓶", name_en="Plum Vase")
    Product.objects.filter(slug="plum-vase").update(search_text="")
    out = io.StringIO()

    call_command("search_index_rebuild", stdout=out)

    assert f"{Product.objects.count()} products" in out.getvalue()
    assert dictionary_version() != before
    assert SearchWord.objects.filter(word="梅瓶").exists()
    assert found("meiping") == ["plum-vase"]
    assert "福字碑" in segment("福字碑拓片")


def test_deleting_a_relic_or_a_tag_refreshes_the_products_that_named_them(searchable):
    assert found("福字碑") == ["fu-brass-bookmark", "fu-folding-fan", "stele-rubbing-scroll"]
    assert found("丝绸") == ["brocade-sachet", "dragon-pattern-scarf"]

    Relic.objects.get(slug="relic-stele").delete()
    Tag.objects.get(slug="silk").delete()

    texts = dict(Product.objects.values_list("slug", "search_text"))
    assert not any("福字碑" in texts[slug] for slug in ("fu-folding-fan", "stele-rubbing-scroll"))
    assert not any("丝绸" in texts[slug] for slug in ("brocade-sachet", "dragon-pattern-scarf"))
    assert "silk" not in texts["brocade-sachet"]
    assert "fu-folding-fan" in found("福字")  # its own name still finds it
    assert found("锦缎") == ["brocade-sachet"]


def test_deleting_a_tag_in_the_admin_refreshes_its_products(searchable):
    tag = Tag.objects.get(slug="summer")
    assert found("夏日") == ["crane-round-fan"]

    response = _admin().post(reverse("admin:catalog_tag_delete", args=[tag.pk]), {"post": "yes"})

    assert response.status_code == 302, response.content
    assert "夏日" not in Product.objects.get(slug="crane-round-fan").search_text


def test_the_name_terms_follow_the_product_and_the_rebuild(searchable):
    crane = Product.objects.get(slug="crane-round-fan")
    terms = dict(crane.search_terms.values_list("term", "whole"))
    assert terms["仙鹤团扇"] is True
    assert terms["crane round fan"] is True
    assert terms["round fan"] is False  # from its second word on
    assert terms["仙鹤"] is False
    assert terms["xianhetuanshan"] is True
    SearchTerm.objects.all().delete()

    call_command("search_index_rebuild", stdout=io.StringIO())

    assert dict(crane.search_terms.values_list("term", "whole")) == terms
    assert SearchTerm.objects.filter(product__slug="study-seal", term="study seal").exists()

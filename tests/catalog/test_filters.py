"""The product list's filter set (catalog/filters.py) made for each request: its form's
class built once per process, its filters copied for it alone."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.utils import translation

from catalog.filters import ProductFilter
from catalog.models import ProductListEntry

pytestmark = pytest.mark.django_db


def filter_set(query: str) -> ProductFilter:
    return ProductFilter(data=QueryDict(query), queryset=ProductListEntry.objects.all())


def test_every_filter_set_validates_with_one_form_class_and_a_form_of_its_own():
    good, bad = filter_set("price_min=10&ordering=price"), filter_set("price_min=x&in_stock=no")

    assert good.is_valid()
    assert not bad.is_valid()
    assert type(good.form) is type(bad.form)
    assert good.form is not bad.form
    assert good.form.fields["price_min"] is not bad.form.fields["price_min"]
    assert set(bad.errors) == {"price_min", "in_stock"}
    assert good.form.cleaned_data["ordering"] == "price"
    with translation.override("en"):
        assert filter_set("price_min=5&price_max=1").errors == {
            "price_max": ["Must be greater than or equal to price_min."]
        }


def test_a_filter_set_form_speaks_the_language_of_its_request():
    # The form class is kept per language: the labels are worked out when it is built.
    labels = {}
    for language in ("zh-hans", "en", "zh-hans"):
        with translation.override(language):
            labels[language] = filter_set("price_min=1").form.fields["price_min"].label

    assert labels == {
        "zh-hans": "起价 is greater than or equal to",
        "en": "Price from is greater than or equal to",
    }


def test_each_filter_set_has_its_own_filters_whose_methods_are_its_own():
    first, second = filter_set("tag=t&in_stock=true"), filter_set("")

    for name, declared in ProductFilter.base_filters.items():
        mine, theirs = first.filters[name], second.filters[name]
        assert mine is not declared and mine is not theirs
        assert mine.parent is first and theirs.parent is second
        assert not hasattr(declared, "parent")
        if declared.method:
            assert mine.filter.f is mine
            assert mine.filter.method == getattr(first, declared.method)
    assert first.qs.query.where != second.qs.query.where

"""Query-string filters for the public product list.

The filter set only narrows and orders the list entries (:class:`ProductListEntry`) that
:func:`catalog.selectors.product_list` has already limited to what the shopper may see:
one entry per product, carrying the product's cheapest price (``price_from``) and whether
it has free units, so every filter and ordering is a column of one table. Which channel
the request is for is not a filter here: the API resolves it from the storefront key or
``?channel=<code>`` and hands it to the selector.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog.models import ProductListEntry, Tag
from catalog.search.filtering import RANK, SearchResult, entries_search
from shop.core.i18n import EN, ZH

ORDERING_CHOICES = [
    ("slug", "slug"),
    ("name", "name"),
    ("-name", "-name"),
    ("price", "price"),
    ("-price", "-price"),
    ("newest", "newest"),
    ("relevance", "relevance"),
]
BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]
SEARCH_MAX_LENGTH = 100
PRICE_MAX = Decimal("9999999999.99")


class CopiedForEachRequest:
    """A filter that a filter set copies for each request by a shallow copy.

    django-filter deep-copies every declared filter for each filter set it makes (to give
    each its filter set, which its ``method`` is looked up on): the choices, bounds and
    texts of seven filters, every request. Nothing of a filter but its ``model``,
    ``parent`` and lazily worked-out label changes after it is declared, and those are set
    on the copy; the copy's ``method`` is bound to the copy itself.
    """

    method: Any

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        copied = copy.copy(self)
        copied.method = self.method  # a new FilterMethod, of the copy
        return copied


class TextFilter(CopiedForEachRequest, django_filters.CharFilter):
    pass


class OptionFilter(CopiedForEachRequest, django_filters.ChoiceFilter):
    pass


class PriceFilter(CopiedForEachRequest, django_filters.NumberFilter):
    """A price in yuan; its own ``max_value`` replaces the generic number cap."""

    def get_max_validator(self) -> None:
        return None


class ProductFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("Must be greater than or equal to price_min."))
        return cleaned


# The form class of each filter set and language, built the first time one validates a
# query string in that language (its fields' labels are worked out then, in it).
_FORM_CLASSES: dict[tuple[type[django_filters.FilterSet], str | None], type[forms.Form]] = {}


class ProductFilter(django_filters.FilterSet):
    collection = TextFilter(
        field_name="collection__slug", max_length=80, help_text="Collection slug."
    )
    tag = TextFilter(method="filter_tag", max_length=60, help_text="Tag slug.")
    price_min = PriceFilter(
        field_name="price_from",
        lookup_expr="gte",
        min_value=Decimal("0"),
        max_value=PRICE_MAX,
        max_digits=12,
        decimal_places=2,
        help_text="Lowest variant price (in the channel, if one is given) at least this.",
    )
    price_max = PriceFilter(
        field_name="price_from",
        lookup_expr="lte",
        min_value=Decimal("0"),
        max_value=PRICE_MAX,
        max_digits=12,
        decimal_places=2,
        help_text="Lowest variant price (in the channel, if one is given) at most this.",
    )
    in_stock = OptionFilter(
        choices=BOOLEAN_CHOICES,
        method="filter_in_stock",
        help_text="true: some active variant has free units; false: none has.",
    )
    q = TextFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Words to find in names, descriptions, tags, SKUs and relic names.",
    )
    ordering = OptionFilter(
        choices=ORDERING_CHOICES,
        method="filter_ordering",
        help_text="Default: relevance when searching (q), otherwise slug.",
    )

    class Meta:
        model = ProductListEntry
        fields = ["collection", "tag", "price_min", "price_max", "in_stock", "q", "ordering"]
        form = ProductFilterForm

    def __init__(self, *args: Any, lang: str = ZH, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang if lang in (ZH, EN) else ZH
        self.search: SearchResult | None = None

    def get_form_class(self) -> type[forms.Form]:
        """The form that validates the query string, its class built once per process and
        language.

        django-filter builds it anew for every request (every field, then a class of
        them): the list's most frequent Python after its statements. The fields depend
        on the filters' declarations and, for their labels, on the active language only,
        and each form copies its class's fields when it is made, so one class per
        language serves every request and thread.
        """
        key = (type(self), get_language())
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            form_class = _FORM_CLASSES.setdefault(key, super().get_form_class())
        return form_class

    @classmethod
    def entries_filtered(
        cls, queryset: QuerySet[ProductListEntry], values: dict[str, Any], ordering: list[str]
    ) -> QuerySet[ProductListEntry]:
        """``queryset`` narrowed by each filter of ``values`` (by name, the search's and the
        ordering's aside) as :meth:`filter_queryset` narrows it, in ``ordering``: for a
        kept statement of the list (:mod:`catalog.list_kept`), whose values are slots."""
        filterset = cls(queryset=queryset)
        for name, value in values.items():
            queryset = filterset.filters[name].filter(queryset, value)
        return queryset.order_by(*ordering)

    def filter_tag(
        self, queryset: QuerySet[ProductListEntry], name: str, value: str
    ) -> QuerySet[ProductListEntry]:
        return queryset.filter(
            Exists(Tag.objects.filter(products=OuterRef("product_id"), slug=value))
        )

    def filter_in_stock(
        self, queryset: QuerySet[ProductListEntry], name: str, value: str
    ) -> QuerySet[ProductListEntry]:
        return queryset.filter(has_free_units=value == "true")

    def filter_search(
        self, queryset: QuerySet[ProductListEntry], name: str, value: str
    ) -> QuerySet[ProductListEntry]:
        # Applied last, in filter_queryset: the search counts what it found.
        return queryset

    def filter_queryset(self, queryset: QuerySet[ProductListEntry]) -> QuerySet[ProductListEntry]:
        """Every filter, then the search (catalog.search understands the words, finds, ranks
        and counts the entries), on the entries all other filters narrowed: its count is
        then the list's."""
        queryset = super().filter_queryset(queryset)
        text = self.form.cleaned_data.get("q")
        if text:
            self.search = entries_search(queryset, text)
            return self.search.entries
        return queryset

    def filter_ordering(
        self, queryset: QuerySet[ProductListEntry], name: str, value: str
    ) -> QuerySet[ProductListEntry]:
        # The ordering itself is applied in ``qs`` so the default also applies when absent.
        return queryset

    @property
    def ordering_fields(self) -> list[str]:
        """The entry fields the list is ordered by (the slug breaks every tie).

        Led by the channel, which is one value in any list, so that the order is that of
        an index of the entries (channel, field, slug), read forwards or backwards, also
        for browsing without a channel: PostgreSQL does not take ``channel IS NULL`` for
        one value and would sort every entry instead of reading the index in order.
        """
        searching = bool(self.form.cleaned_data.get("q"))
        ordering = self.form.cleaned_data.get("ordering") or ("relevance" if searching else "slug")
        if ordering == "relevance":
            # Best match first, then what can be bought, then by slug (stable pages).
            ranked = [f"-{RANK}", "-has_free_units", "slug"] if searching else ["slug"]
            return ["channel_id", *ranked]
        name_field = f"name_{self.lang}"
        fields = {
            "slug": ["slug"],
            "name": [name_field, "slug"],
            "-name": [f"-{name_field}", "slug"],
            "price": ["price_from", "slug"],
            "-price": ["-price_from", "slug"],
            "newest": ["-created_at", "slug"],
        }[ordering]
        backwards = ordering in ("-name", "-price")
        # The column itself: "channel" would order by the channel's code, through a join.
        return ["-channel_id" if backwards else "channel_id", *fields]

    @property
    def qs(self) -> QuerySet[ProductListEntry]:
        return super().qs.order_by(*self.ordering_fields)

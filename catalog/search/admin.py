"""The synonyms staff edit in the admin (扇子 -> 扇): stored in searchable form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from catalog.permissions import user_can_edit_catalog, user_is_staff
from catalog.search.models import SearchSynonym
from catalog.search.text import chunks, normalize


def _searchable(value: str) -> str:
    text = normalize(value)
    if not chunks(text):
        raise forms.ValidationError(_("Enter a word in Chinese characters, letters or digits."))
    return text


class SearchSynonymForm(forms.ModelForm):
    class Meta:
        model = SearchSynonym
        fields = ["term", "replacement", "note"]

    def clean_term(self) -> str:
        return _searchable(self.cleaned_data["term"])

    def clean_replacement(self) -> str:
        return _searchable(self.cleaned_data["replacement"])


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    form = SearchSynonymForm
    list_display = ["term", "replacement", "note"]
    search_fields = ["term", "replacement"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # An edit is stored as a new row, so every process sees the synonyms' version move
        # (catalog.search.dictionary.search_versions) and reads them again.
        if change:
            SearchSynonym.objects.filter(pk=obj.pk).delete()
            obj.pk = None
        super().save_model(request, obj, form, change)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_is_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return user_can_edit_catalog(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_can_edit_catalog(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_can_edit_catalog(request.user)

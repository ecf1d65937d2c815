"""The admin speaks the staff's language: with Chinese chosen, the index, every changelist
and change page of the shop's models name their apps, models, columns, filters and
actions in Chinese, and no English name of them is left; with English chosen, English.

The names are read from the admin's own registry, so a model, column or action added
without a translation fails here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.db import transaction
from django.test import Client
from django.utils import translation
from django.utils.text import capfirst

from tests import factories
from tests.factories.demo_shop import demo_shop_build

pytestmark = pytest.mark.django_db

SHOP_APPS = {"catalog", "orders", "payments", "fulfillment", "channels", "accounts", "partners"}
SHOP_APPS |= {"checkout"}


def _shop_admins() -> list[tuple[Any, admin.ModelAdmin]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in SHOP_APPS
    ]


def _in(language: str, text: Any) -> str:
    with translation.override(language):
        return str(text)


def _names(model: Any, model_admin: admin.ModelAdmin, language: str) -> dict[str, str]:
    """What the changelist shows of the model, in one language: {kind: text}."""
    with translation.override(language):
        names = {"model": str(capfirst(model._meta.verbose_name_plural))}
        for name in model_admin.list_display:
            if name in ("__str__", "action_checkbox"):
                continue
            label = label_for_field(name, model, model_admin)
            names[f"column {name}"] = str(capfirst(label))
        for name, (_func, _name, description) in model_admin.get_actions(_request()).items():
            if name != "delete_selected":
                names[f"action {name}"] = str(description)
    return names


def _request() -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = factories.UserFactory.build(is_staff=True, is_superuser=True)
    return request


def _texts(page: str) -> set[str]:
    """Every text between two tags, unescaped and stripped."""
    return {html.unescape(text).strip() for text in re.findall(r">([^<>]+)<", page)}


@pytest.fixture(scope="module")
def demo_rows(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo shop, built once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_shop_build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def shop_with_rows(demo_rows, db) -> Any:
    return factories.UserFactory(is_staff=True, is_superuser=True)


def _client(user: Any, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# Names, not words: the same in both languages.
NAMES = re.compile(r"\b(SKU|ID|API|PDF|CSV|XLSX|URL|Stripe|App)\b")


def _english_only(zh: dict[str, str], en: dict[str, str]) -> dict[str, str]:
    """The English names to look for; one the same in Chinese is left untranslated unless
    it is only names (SKU, ID, Stripe)."""
    return {kind: text for kind, text in en.items() if _english(text, zh.get(kind, ""))}


def _english(english: str, chinese: str) -> bool:
    return chinese != english or bool(re.search(r"[A-Za-z]{3,}", NAMES.sub("", english)))


# Django's own admin texts its Chinese catalog lacks, in the shop's catalog instead.
DJANGO_TEXTS = ["Model name", "Add link", "Change or view list link"]


def test_the_admin_in_chinese_leaves_no_english_model_column_or_action_name(shop_with_rows):
    client = _client(shop_with_rows, "zh-hans")
    index = client.get("/admin/")
    assert index.status_code == 200
    index_texts = _texts(index.content.decode())
    left: list[str] = [f"index: {text}" for text in DJANGO_TEXTS if text in index_texts]
    for model, model_admin in _shop_admins():
        app = model._meta.app_config.verbose_name
        assert _in("zh-hans", app) in index_texts, app
        assert _in("en", app) not in index_texts, app
        zh = _names(model, model_admin, "zh-hans")
        en = _english_only(zh, _names(model, model_admin, "en"))
        if en.get("model") in index_texts:
            left.append(f"index: {en['model']}")
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        page = client.get(url)
        assert page.status_code == 200, url
        texts = _texts(page.content.decode())
        for kind, text in en.items():
            if text in texts:
                left.append(f"{url} {kind}: {text}")
        shown = page.context["cl"].result_count
        actions_shown = page.context["cl"].show_admin_actions  # Django hides them on no rows
        for kind, text in zh.items():
            if kind in en and (shown or (kind.startswith("action") and actions_shown)):
                assert text in texts, f"{url} {kind}: {text}"
    assert left == []


def test_the_admin_in_english_stays_english(shop_with_rows):
    client = _client(shop_with_rows, "en")
    page = client.get("/admin/catalog/stock/")
    texts = _texts(page.content.decode())
    assert "Catalog and stock" in texts
    assert "Set the low-stock threshold (enter it above)" in texts
    assert "商品与库存" not in texts


def test_change_pages_name_fields_inlines_and_objects_in_chinese(shop_with_rows):
    client = _client(shop_with_rows, "zh-hans")
    left: list[str] = []
    for model, model_admin in _shop_admins():
        row = model_admin.get_queryset(_request()).first()
        if row is None:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{row.pk}/change/"
        page = client.get(url)
        assert page.status_code == 200, url
        texts = _texts(page.content.decode())
        fields = [f for f in model._meta.fields if f.name != "id"]
        for field in fields:
            english = str(capfirst(_in("en", field.verbose_name)))
            chinese = str(capfirst(_in("zh-hans", field.verbose_name)))
            if _english(english, chinese) and f"{english}:" in texts:
                left.append(f"{url} field {english}")
        for inline in model_admin.inlines:
            english = str(capfirst(_in("en", inline.model._meta.verbose_name_plural)))
            chinese = str(capfirst(_in("zh-hans", inline.model._meta.verbose_name_plural)))
            if _english(english, chinese) and english in texts:
                left.append(f"{url} inline {english}")
    assert left == []

"""The shop's Chinese catalog is complete, compiled, and covers every message it gives.

locale/zh_Hans/LC_MESSAGES/django.po holds the translations; the .mo beside it is what
Django reads (``make messages`` compiles it). These tests fail when a message is added
without its Chinese, when a translation is left fuzzy, or when the .mo is older than
the .po.
"""

from __future__ import annotations

import ast
import gettext
import importlib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

from shop.core.errors import ShopError

ROOT = Path(__file__).resolve().parents[3]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SOURCES = ("shop", "catalog", "fulfillment", "partners")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy"}


def _po_catalog():
    with PO.open("rb") as po_file:
        return read_po(po_file)


def _po_messages() -> dict[str, str]:
    return {message.id: message.string for message in _po_catalog() if message.id}


def _marked_in_source() -> dict[str, list[str]]:
    """Every text passed to gettext in the shop's code, with where it is."""
    found: dict[str, list[str]] = {}
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in GETTEXT_NAMES
                ):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                argument = node.args[0] if node.args else None
                text = argument.value if isinstance(argument, ast.Constant) else None
                # An f-string or a variable can never be found in the catalog.
                assert isinstance(text, str), f"{where}: gettext needs a literal text"
                found.setdefault(text, []).append(where)
    return found


def test_every_entry_of_the_po_is_translated_and_none_is_fuzzy():
    catalog = _po_catalog()

    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and "fuzzy" in m.flags]

    assert not catalog.fuzzy
    assert untranslated == []
    assert fuzzy == []
    # Placeholders (%(name)s) of each translation are those of its English text.
    assert [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()] == []


def test_the_mo_holds_exactly_what_the_po_says():
    with MO.open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)

    in_mo = {key: value for key, value in compiled._catalog.items() if key != ""}

    assert in_mo == _po_messages(), "locale/ changed: run `make messages`"


def test_every_message_in_the_code_is_in_the_po():
    translated = _po_messages()

    missing = {
        text: where for text, where in _marked_in_source().items() if not translated.get(text)
    }

    assert missing == {}, "run manage.py makemessages -l zh_Hans, translate, `make messages`"


def _shop_error_classes() -> list[type[ShopError]]:
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.errors")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.errors":
                raise
    found, waiting = [], [ShopError]
    while waiting:
        cls = waiting.pop()
        found.append(cls)
        waiting.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def test_errors_are_found_in_every_domain():
    modules = {cls.__module__ for cls in _shop_error_classes()}

    assert modules >= {
        "shop.core.errors",
        "shop.accounts.errors",
        "shop.channels.errors",
        "shop.checkout.errors",
        "shop.orders.errors",
        "shop.payments.errors",
        "catalog.errors",
        "fulfillment.errors",
        "partners.errors",
    }


@pytest.mark.parametrize("error", _shop_error_classes(), ids=lambda cls: cls.__name__)
def test_every_error_class_message_has_its_chinese(error):
    assert isinstance(error.message, Promise), "mark the message with gettext_lazy"
    with translation.override("en"):
        english = str(error.message)
    with translation.override("zh-hans"):
        chinese = str(error.message)

    assert english
    assert chinese != english
    assert chinese == _po_messages()[english]

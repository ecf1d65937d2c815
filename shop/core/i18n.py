"""Bilingual output: Simplified Chinese or English, chosen by ``?lang=`` or Accept-Language.

One rule picks the language of a request (:func:`language_from_request`): product texts
follow it, and :class:`RequestLanguageMiddleware` activates it for the whole request, so
every error message (the shop's own, DRF's and Django's) is in that language too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

ZH = "zh"
EN = "en"
SUPPORTED = (ZH, EN)
# Django's name of each language (its catalogs are zh_Hans) and the Content-Language tag.
DJANGO_LANGUAGE = {ZH: "zh-hans", EN: "en"}
CONTENT_LANGUAGE = {ZH: "zh-Hans", EN: "en"}


def language_from_request(request: Any) -> str:
    """``?lang=en|zh`` wins; then the first supported Accept-Language entry; then Chinese."""
    if request is None:
        return ZH
    lang = (request.GET.get("lang") or "").lower()
    if lang.startswith("en"):
        return EN
    if lang.startswith("zh"):
        return ZH
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    weighted = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, index, tag.strip().lower()))
    for _, _, tag in sorted(weighted):
        if tag.startswith("en"):
            return EN
        if tag.startswith("zh"):
            return ZH
    return ZH


def pick(obj: Any, field: str, lang: str) -> str:
    """The ``field_<lang>`` text, falling back to the other language when empty."""
    other = EN if lang == ZH else ZH
    return getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_{other}", "")


def pick_active(obj: Any, field: str) -> str:
    """The ``field_<lang>`` text in the active language (an object's name in the admin)."""
    active = translation.get_language() or ""
    return pick(obj, field, EN if active.startswith("en") else ZH)


class RequestLanguageMiddleware:
    """Answer each request in its language: the shop's rule everywhere but the admin.

    The language is active from the first middleware after this one to the rendered
    answer, so DRF's exception handler, Django's error handlers (404, 500, CSRF failure)
    and the shop's messages all speak it. The admin is the staff's tool and keeps
    Django's own choice (a language cookie, then Accept-Language, then Chinese), as
    Django's LocaleMiddleware would make it.
    """

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self._admin_prefix: str | None = None

    def _in_admin(self, request: Any) -> bool:
        if self._admin_prefix is None:
            try:
                self._admin_prefix = reverse("admin:index")
            except NoReverseMatch:
                self._admin_prefix = ""
        return bool(self._admin_prefix) and request.path_info.startswith(self._admin_prefix)

    def __call__(self, request: Any) -> Any:
        if self._in_admin(request):
            language = translation.get_language_from_request(request)
            content_language = language
        else:
            lang = language_from_request(request)
            language, content_language = DJANGO_LANGUAGE[lang], CONTENT_LANGUAGE[lang]
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", content_language)
        return response

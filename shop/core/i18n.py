"""Bilingual output: Simplified Chinese or English, chosen by ``?lang=`` or Accept-Language."""

from __future__ import annotations

from typing import Any

ZH = "zh"
EN = "en"
SUPPORTED = (ZH, EN)


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

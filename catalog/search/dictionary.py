"""The Chinese segmenter with the catalog's own words, one per process, and the synonyms.

jieba's dictionary does not know 福字碑 or 缂丝; the user dictionary adds every word of
the product, relic, collection and tag names (the :class:`SearchWord` rows, written by
:mod:`catalog.search.index` whenever a name is saved). A process keeps its segmenter with
the version it was built from, ``(highest id, count)`` of those rows, asked for once per
search: new rows are added to the segmenter as they appear; when rows went away (the
rebuild command empties the table) the segmenter is built again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import jieba
from django.db import connection

from catalog.search.models import SearchSynonym, SearchWord
from catalog.search.text import has_han, pinyin_forms

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)


@dataclass
class _Segmenter:
    tokenizer: jieba.Tokenizer = field(default_factory=jieba.Tokenizer)
    last_id: int = 0
    count: int = 0


_lock = threading.Lock()
_state: _Segmenter | None = None


Version = tuple[int, int]
_VERSIONS = (
    "SELECT (SELECT MAX(id) FROM catalog_searchword), (SELECT COUNT(*) FROM catalog_searchword),"
    " (SELECT MAX(id) FROM catalog_searchsynonym), (SELECT COUNT(*) FROM catalog_searchsynonym)"
)


def search_versions() -> tuple[Version, Version]:
    """``(highest id, number)`` of the catalog's words and of the synonyms, in one query:
    each changes whenever its rows change (a synonym edited is stored as a new row)."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSIONS)
        last, count, synonym_last, synonym_count = cursor.fetchone()
    return (last or 0, count), (synonym_last or 0, synonym_count)


def dictionary_version() -> Version:
    """``(highest id, number)`` of the catalog's words: changes whenever they change."""
    return search_versions()[0]


def _words_add(state: _Segmenter, last_id: int) -> None:
    words = SearchWord.objects.filter(id__gt=state.last_id, id__lte=last_id)
    for word in words.values_list("word", flat=True).iterator(chunk_size=5000):
        if has_han(word):
            state.tokenizer.add_word(word, freq=max(state.tokenizer.suggest_freq(word), 100))


def segmenter(version: Version | None = None) -> jieba.Tokenizer:
    """The process's segmenter, with every word of the catalog's names (at ``version``,
    read from the database when not given)."""
    global _state
    last_id, count = version if version is not None else dictionary_version()
    with _lock:
        state = _state
        if state is None or last_id < state.last_id or count < state.count:
            state = _Segmenter()
            state.tokenizer.initialize()
            logger.info("search dictionary built at version %s (%s words)", last_id, count)
        if last_id > state.last_id:
            _words_add(state, last_id)
            state.last_id = last_id
        state.count = count
        _state = state
        return state.tokenizer


def segment(text: str, version: Version | None = None) -> list[str]:
    """Words of a run of Chinese characters, as a shopper means them."""
    return [word for word in segmenter(version).lcut(text, HMM=True) if word.strip()]


def segment_for_index(text: str) -> list[str]:
    """Words of a run of Chinese characters, the long ones with their parts too.

    Cut by the process's segmenter as it stands (the version is read only to build the
    first one): indexing many names asks the database nothing more, and the whole run is
    indexed too, so a word the segmenter learns later is still found."""
    state = _state
    tokenizer = state.tokenizer if state is not None else segmenter()
    return [word for word in tokenizer.lcut_for_search(text, HMM=True) if word.strip()]


_synonyms: tuple[Version, dict[str, list[str]]] | None = None


def synonyms(version: Version) -> dict[str, list[str]]:
    """Each shoppers' word, and its pinyin, with the catalog's words for it (kept per
    process while the synonyms' ``version`` holds)."""
    global _synonyms
    kept = _synonyms
    if kept is not None and kept[0] == version:
        return kept[1]
    if version[1] == 0:
        return {}
    found: dict[str, list[str]] = {}
    for term, replacement in SearchSynonym.objects.values_list("term", "replacement"):
        found.setdefault(term, []).append(replacement)
        full, _initials = pinyin_forms(term)
        if full and full != term:
            found.setdefault(full, []).append(replacement)
    _synonyms = (version, found)
    return found

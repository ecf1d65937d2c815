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
from django.db.models import Count, Max

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


def dictionary_version() -> tuple[int, int]:
    """``(highest id, number)`` of the catalog's words: changes whenever they change."""
    row = SearchWord.objects.aggregate(last=Max("id"), count=Count("id"))
    return row["last"] or 0, row["count"]


def _words_add(state: _Segmenter, last_id: int) -> None:
    words = SearchWord.objects.filter(id__gt=state.last_id, id__lte=last_id)
    for word in words.values_list("word", flat=True).iterator(chunk_size=5000):
        if has_han(word):
            state.tokenizer.add_word(word, freq=max(state.tokenizer.suggest_freq(word), 100))


def segmenter() -> jieba.Tokenizer:
    """The process's segmenter, with every word of the catalog's names."""
    global _state
    last_id, count = dictionary_version()
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


def segment(text: str) -> list[str]:
    """Words of a run of Chinese characters, as a shopper means them."""
    return [word for word in segmenter().lcut(text, HMM=True) if word.strip()]


def segment_for_index(text: str) -> list[str]:
    """Words of a run of Chinese characters, the long ones with their parts too."""
    return [word for word in segmenter().lcut_for_search(text, HMM=True) if word.strip()]


def synonyms() -> dict[str, list[str]]:
    """Each shoppers' word, and its pinyin, with the catalog's words for it."""
    found: dict[str, list[str]] = {}
    for term, replacement in SearchSynonym.objects.values_list("term", "replacement"):
        found.setdefault(term, []).append(replacement)
        full, _initials = pinyin_forms(term)
        if full and full != term:
            found.setdefault(full, []).append(replacement)
    return found

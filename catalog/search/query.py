"""What a shopper's query means: groups of words that must all be found, each group
satisfied by any of its forms (the word, its English stem, the catalog's synonyms).

"仙鹤扇" is segmented into 仙鹤 + 扇 and finds 仙鹤团扇; "团扇仙鹤" finds it too (order does
not matter); "扇子" finds fans through the synonym 扇子 -> 扇 (also typed ``shanzi``);
"龍紋" is read as 龙纹; "fans" as fan; "tuanshan" is found in the names' pinyin.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from catalog.search.dictionary import Version, search_versions, segment, synonyms
from catalog.search.text import chunks, english_stem, has_han, normalize

MAX_GROUPS = 8


@dataclass(frozen=True)
class SearchQuery:
    """The understood query: ``groups`` of alternative forms, all groups must match;
    ``whole`` the forms that would be a product's entire name."""

    text: str
    groups: tuple[tuple[str, ...], ...]
    whole: tuple[str, ...]

    @property
    def words(self) -> list[str]:
        """The first form of each group, as the shopper would read them back."""
        return [group[0] for group in self.groups]


def _forms(word: str, known: dict[str, list[str]]) -> tuple[str, ...]:
    forms = [word]
    if not has_han(word):
        forms.append(english_stem(word))
    forms += known.get(word, [])
    return tuple(dict.fromkeys(form for form in forms if form))


def _han_words(part: str, known: dict[str, list[str]], version: Version) -> list[str]:
    if part in known or len(part) <= 1:
        return [part]
    return segment(part, version)


def query_parse(text: str) -> SearchQuery:
    """Understand a shopper's query (any script, spaces or none)."""
    normalized = normalize(text)
    parts = chunks(normalized)
    if not parts:
        return SearchQuery(text=normalized, groups=(), whole=())
    return _understood(normalized, tuple(parts), *search_versions())


# Shoppers ask the same words again and again: what they mean is worked out once per
# process for the dictionary's and the synonyms' versions (a change of either is a new key;
# the old ones age out), so a query is segmented, converted and stemmed only once.
@functools.lru_cache(maxsize=4096)
def _understood(
    normalized: str, parts: tuple[str, ...], words_version: Version, synonyms_version: Version
) -> SearchQuery:
    known = synonyms(synonyms_version)
    groups: list[tuple[str, ...]] = []
    for part in parts:
        words = _han_words(part, known, words_version) if has_han(part) else [part]
        groups += [_forms(word, known) for word in words]
    groups = list(dict.fromkeys(groups))[:MAX_GROUPS]
    whole = {" ".join(parts), "".join(parts)}
    if not any(has_han(part) for part in parts):
        whole.add(" ".join(english_stem(part) for part in parts))
    return SearchQuery(
        text=normalized, groups=tuple(groups), whole=tuple(sorted(w for w in whole if w))
    )


def query_from_words(words: list[str]) -> SearchQuery:
    """A query of corrected words (did you mean)."""
    return query_parse(" ".join(words))

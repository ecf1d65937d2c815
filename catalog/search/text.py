"""How a text becomes searchable: one form for the query and the indexed text alike.

- Unicode compatibility forms folded (full-width letters and digits become ASCII),
  traditional characters made simplified (OpenCC ``t2s``), lower-cased.
- English words reduced to a simple stem (plurals and a few endings), so "fans" finds
  "Fan" and "scarves" finds "Scarf".
- Chinese written also in full pinyin without tones (``xianhetuanshan``) and as its
  initials (``xhts``), so a shopper typing on a Latin keyboard finds it too.
- Trigrams as PostgreSQL's pg_trgm makes them, so the typo fallback gives the same
  answer on SQLite (computed here) as on PostgreSQL (computed by the database).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc
from pypinyin import Style, lazy_pinyin

# Chinese characters (the unified ideographs and their first extension).
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# A run of Chinese characters, or of Latin letters and digits (with inner - or _).
CHUNK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+(?:[-_][a-z0-9]+)*")
LATIN_WORD = re.compile(r"[a-z0-9]+")
# pg_trgm's default similarity threshold (pg_trgm.similarity_threshold).
SIMILARITY_THRESHOLD = 0.3


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Folded, simplified, lower-cased, spaces squeezed."""
    folded = unicodedata.normalize("NFKC", text or "")
    simplified = _converter().convert(folded) if HAN.search(folded) else folded
    return " ".join(simplified.lower().split())


def has_han(text: str) -> bool:
    return HAN.search(text) is not None


def chunks(normalized: str) -> list[str]:
    """The runs of Chinese or of Latin letters and digits, punctuation and spaces dropped."""
    return CHUNK.findall(normalized)


def english_stem(word: str) -> str:
    """A simple stem: scarves -> scarf, boxes -> box, stories -> story, fans -> fan."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for ending, replacement in (("ves", "f"), ("ies", "y"), ("sses", "ss")):
        if word.endswith(ending):
            return word[: -len(ending)] + replacement
    for ending in ("xes", "ches", "shes", "zes"):
        if word.endswith(ending):
            return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def pinyin_forms(text: str) -> tuple[str, str]:
    """Full pinyin without tones and the initials of the Chinese characters of ``text``."""
    han = "".join(HAN.findall(text))
    if not han:
        return "", ""
    full = "".join(lazy_pinyin(han))
    initials = "".join(lazy_pinyin(han, style=Style.FIRST_LETTER))
    return full, initials


def trigrams(text: str) -> set[str]:
    """The trigrams pg_trgm makes of a text: of each word (letters and digits), lower-cased,
    with two spaces before and one after."""
    found: set[str] = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        found.update(padded[index : index + 3] for index in range(len(padded) - 2))
    return found


def similarity(left: str, right: str) -> float:
    """pg_trgm's ``similarity``: shared trigrams over all trigrams of both."""
    a, b = trigrams(left), trigrams(right)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)

"""The rows the catalog search keeps besides the products' own search texts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchSynonym(models.Model):
    """A word shoppers type and the word the catalog uses for it (扇子 -> 扇, 丝巾 -> 围巾).

    Edited by staff in the admin; a query holding ``term`` also finds what ``replacement``
    finds (a word may have several). Both are stored in their searchable form (simplified,
    lower-case).
    """

    term = models.CharField(_("shoppers' word"), max_length=60)
    replacement = models.CharField(_("catalog's word"), max_length=60)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        constraints = [
            models.UniqueConstraint(fields=["term", "replacement"], name="search_synonym_unique"),
            models.CheckConstraint(
                condition=~models.Q(term="") & ~models.Q(replacement=""),
                name="search_synonym_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.replacement}"


class SearchWord(models.Model):
    """A word of a product, relic, collection or tag name, in its searchable form.

    The user dictionary of the Chinese segmenter (Chinese words) and the vocabulary of
    "did you mean" (every word, its pinyin too). Only ever added to, so the highest id is
    the version of the dictionary a process holds (:mod:`catalog.search.dictionary`).
    """

    word = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.word


class SearchTerm(models.Model):
    """A form a product's name starts with, or one of its words, or the rest of the name
    from one of its words on ("round fan 12" of "Crane Round Fan 12"), searchable.

    What autocomplete reads: one range of the B-tree ``(whole, term, product_id)`` per
    prefix typed, the terms compared byte by byte (``COLLATE "C"`` on PostgreSQL, as the
    index is made in migration 0012), so the range is also the order. Written with the
    product's search text (:func:`catalog.search.index.product_search_text_refresh`) and
    by ``search_index_rebuild``; ``whole`` marks a form of the whole name.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="search_terms"
    )
    term = models.CharField(max_length=200)
    whole = models.BooleanField(default=False)

    class Meta:
        ordering = ["term", "product_id"]

    def __str__(self) -> str:
        return self.term

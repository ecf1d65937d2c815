"""What a product is found by, kept on the product row (``search_text``, ``search_name``,
``search_related``), and the words of the catalog's names (:class:`SearchWord`).

Every service that saves a product, its variants, its tags, its relic or its collection
calls :func:`product_search_text_refresh` for the products concerned after saving (in the
same transaction); saving a relic, collection or tag calls
:func:`products_of_refresh` for its products, and deleting one refreshes the products
that named it (:func:`deletes_follow`, connected when the app starts). The admin, the
staff API's CSV import and the demo loader do; ``manage.py search_index_rebuild``
rebuilds everything.

- ``search_text``: every text of the product (names, descriptions, tags with their slugs,
  active SKUs and variant names, relic and collection), in searchable form
  (:func:`catalog.search.text.normalize`), with the two fields below. Filtering reads it.
- ``search_name``: the names, one form a line: ``=`` lines are whole names (as typed, in
  pinyin, English stems), the others their words. Ranking and suggestions read it.
- ``search_related``: the same for the relic's, collection's and tags' names.
- :class:`SearchTerm` rows: the forms and words of ``search_name``, for autocomplete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, pre_delete

from catalog.models import Collection, Product, Relic, Tag
from catalog.search.dictionary import segment_for_index
from catalog.search.models import SearchTerm, SearchWord
from catalog.search.text import chunks, english_stem, has_han, normalize, pinyin_forms

WORD_MAX_LENGTH = 100
TERM_MAX_LENGTH = 200


def _name_forms(name: str) -> tuple[list[str], list[str]]:
    """The whole forms of a name and its words, searchable."""
    text = normalize(name)
    parts = chunks(text)
    if not parts:
        return [], []
    han = "".join(part for part in parts if has_han(part))
    latin = [part for part in parts if not has_han(part)]
    whole = {text, " ".join(parts)}
    words: list[str] = []
    if han:
        whole.add("".join(parts))
        full, initials = pinyin_forms(han)
        whole.update((full, initials))
        for part in parts:
            if has_han(part):
                segmented = segment_for_index(part)
                words += [part, *segmented]
                words += [pinyin_forms(word)[0] for word in segmented if len(word) > 1]
    if latin:
        whole.add(" ".join(english_stem(word) for word in latin))
        words += latin + [english_stem(word) for word in latin]
    return sorted(form for form in whole if form), list(dict.fromkeys(w for w in words if w))


def names_searchable(names: Iterable[str]) -> tuple[str, list[str]]:
    """The lines of a search field for ``names`` (``=`` whole names, then words), and the
    words to remember."""
    lines: list[str] = []
    vocabulary: list[str] = []
    for name in names:
        whole, words = _name_forms(name)
        lines += [f"={form}" for form in whole]
        lines += words
        vocabulary += [form for form in whole if " " not in form] + words
    text = "\n" + "\n".join(dict.fromkeys(lines)) + "\n" if lines else ""
    return text, list(dict.fromkeys(vocabulary))


def name_terms(name_lines: str) -> list[tuple[str, bool]]:
    """The autocomplete terms of a product's ``search_name``: ``(term, whole)`` for each
    whole form and word, and the rest of each whole Latin form from every later word on,
    so "round f" finds "Crane Round Fan 12" (two words typed)."""
    terms: dict[str, bool] = {}
    for line in name_lines.split("\n"):
        if not line:
            continue
        whole = line.startswith("=")
        form = line.removeprefix("=")[:TERM_MAX_LENGTH]
        terms[form] = terms.get(form, False) or whole
        if whole and " " in form:
            words = form.split(" ")
            for start in range(1, len(words)):
                terms.setdefault(" ".join(words[start:]), False)
    return list(terms.items())


def terms_write(product_id: int, name_lines: str) -> None:
    """Replace the product's autocomplete terms with those of its ``search_name``."""
    SearchTerm.objects.filter(product_id=product_id).delete()
    SearchTerm.objects.bulk_create(
        [
            SearchTerm(product_id=product_id, term=term, whole=whole)
            for term, whole in name_terms(name_lines)
        ]
    )


def _related_names(product: Product) -> list[str]:
    names: list[str] = []
    for tag in product.tags.all():
        names += [tag.name_zh, tag.name_en]
    if product.relic is not None:
        names += [product.relic.name_zh, product.relic.name_en]
    if product.collection is not None:
        names += [product.collection.name_zh, product.collection.name_en]
    return [name for name in names if name]


def _other_texts(product: Product) -> list[str]:
    parts: list[str] = [product.slug, product.description_zh, product.description_en]
    parts += [tag.slug for tag in product.tags.all()]
    for variant in product.variants.filter(is_active=True):
        parts += [variant.sku, variant.name_zh, variant.name_en]
    if product.relic is not None:
        relic = product.relic
        parts += [relic.period_zh, relic.period_en, relic.museum_number]
    return parts


def words_remember(words: Iterable[str]) -> None:
    """Add new words to the catalog's vocabulary (the segmenter's user dictionary)."""
    rows = [SearchWord(word=word) for word in dict.fromkeys(words) if len(word) <= WORD_MAX_LENGTH]
    if rows:
        SearchWord.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def product_search_fields(product: Product) -> dict[str, str]:
    """The three search fields of a product, and the words of its names remembered."""
    name, name_words = names_searchable([product.name_zh, product.name_en])
    related, related_words = names_searchable(_related_names(product))
    words_remember(name_words + related_words)
    others = [normalize(part) for part in _other_texts(product) if part and part.strip()]
    full = [normalize(product.name_zh), normalize(product.name_en), *others]
    text = "\n".join([*(part for part in full if part), name.strip(), related.strip()])
    return {"search_text": text, "search_name": name, "search_related": related}


def product_search_text_build(product: Product) -> str:
    """Every text of the product in searchable form (the ``search_text``)."""
    return product_search_fields(product)["search_text"]


def product_search_text_refresh(product: Product) -> str:
    """Rebuild and store the product's search fields; returns its search text.

    Written with an update of these columns only, so it neither races with nor
    re-stamps other edits of the product.
    """
    fields = product_search_fields(product)
    Product.objects.filter(pk=product.pk).update(**fields)
    terms_write(product.pk, fields["search_name"])
    for name, value in fields.items():
        setattr(product, name, value)
    return fields["search_text"]


def _products_of(owner: Relic | Collection | Tag) -> QuerySet[Product]:
    if isinstance(owner, Tag):
        return Product.objects.filter(tags=owner)
    if isinstance(owner, Relic):
        return Product.objects.filter(relic=owner)
    return Product.objects.filter(collection=owner)


def _products_refresh(products: QuerySet[Product]) -> int:
    products = products.select_related("relic", "collection")
    refreshed = 0
    for product in products.prefetch_related("tags").iterator(chunk_size=500):
        product_search_text_refresh(product)
        refreshed += 1
    return refreshed


def products_of_refresh(owner: Relic | Collection | Tag) -> int:
    """Refresh the products whose relic, collection or tag ``owner`` is; returns how many."""
    refreshed = _products_refresh(_products_of(owner))
    words_remember(names_searchable([owner.name_zh, owner.name_en])[1])
    return refreshed


def _owner_deleting(sender: Any, instance: Relic | Collection | Tag, **kwargs: Any) -> None:
    # Noted before the delete unlinks them (a relic's products keep no relic, a tag's
    # links go with it); refreshed once it is gone, in the same transaction.
    ids = list(_products_of(instance).values_list("pk", flat=True))
    instance.__dict__["_search_product_ids"] = ids


def _owner_deleted(sender: Any, instance: Relic | Collection | Tag, **kwargs: Any) -> None:
    product_ids = instance.__dict__.get("_search_product_ids", [])
    if product_ids:
        _products_refresh(Product.objects.filter(pk__in=product_ids))


def deletes_follow() -> None:
    """Deleting a relic, collection or tag (the admin, or any other delete) refreshes the
    search texts of the products that named it."""
    for model in (Relic, Collection, Tag):
        pre_delete.connect(_owner_deleting, sender=model, dispatch_uid=f"search-del-{model}")
        post_delete.connect(_owner_deleted, sender=model, dispatch_uid=f"search-gone-{model}")

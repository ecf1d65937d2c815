"""pg_trgm for the search's names and words, and a check that it can index Chinese.

pg_trgm takes words to be runs of the characters the database's character classes
(``LC_CTYPE``) call letters or digits. Under a ``C`` or ``POSIX`` ctype no Chinese
character is one, so Chinese names get no trigrams at all: their indexes stay empty and
"did you mean" finds no Chinese word, silently. This migration asks pg_trgm itself
(``show_trgm('仙鹤')``) and, when it answers nothing, says so and what to do; the search
still works (more slowly: Chinese is then matched without those indexes).

On SQLite it does nothing. Built CONCURRENTLY, hence outside a transaction.
"""

import sys

from django.db import migrations

INDEXES = {
    "catalog_product_search_name_trgm": "catalog_product USING gin (search_name gin_trgm_ops)",
    "catalog_searchword_word_trgm": "catalog_searchword USING gin (word gin_trgm_ops)",
}
ADVICE = (
    "WARNING: this database's LC_CTYPE ({ctype}) gives pg_trgm no trigrams for Chinese "
    "characters, so the catalog search cannot use its trigram indexes for Chinese.\n"
    "Create the database with a UTF-8 ctype and load it again, for example:\n"
    "  createdb --template=template0 --encoding=UTF8 --lc-collate=C.UTF-8 "
    "--lc-ctype=C.UTF-8 coshop\n"
    "(or zh_CN.UTF-8 / en_US.UTF-8 where the locale is installed), then "
    "`manage.py migrate` and `manage.py search_index_rebuild`.\n"
)


def chinese_trigrams_missing(cursor) -> str | None:
    """The database's ctype when pg_trgm makes no trigrams of Chinese, else None."""
    cursor.execute("SELECT array_length(show_trgm('仙鹤'), 1), current_setting('lc_ctype')")
    count, ctype = cursor.fetchone()
    return ctype if not count else None


def trigrams_enable(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        ctype = chinese_trigrams_missing(cursor)
    if ctype is not None:
        sys.stderr.write(ADVICE.format(ctype=ctype))
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")


def trigrams_disable(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0007_search_words_synonyms_and_name_fields"),
    ]

    operations = [
        migrations.RunPython(trigrams_enable, trigrams_disable, elidable=False),
    ]

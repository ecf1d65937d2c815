"""Indexes for the catalog search on PostgreSQL (on SQLite the search reads every row).

The search looks for a word anywhere inside texts (``LIKE '%word%'``), which a B-tree
cannot serve. pg_trgm's GIN indexes find the rows that hold every three-character run of
the word; words shorter than three characters have no such run, and Chinese words are
often two characters, so a second kind of GIN index holds the set of characters of the
same texts, to find the rows that hold all the characters of a short word. Both only
narrow the rows down: the search's own conditions are then checked on those rows (see
catalog/search.py, which writes its queries to match these expressions).

Built CONCURRENTLY, so shoppers and staff keep writing while a large catalog is indexed
(hence a migration outside a transaction).
"""

from django.db import migrations

# The characters of every text a product's row is searched in, upper-cased as the
# case-insensitive lookups compare them (the search text is lower-cased already).
CHARACTERS_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_product_search_characters(
    search_text text, name_zh text, name_en text, description_zh text, description_en text
) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT string_to_array(
        search_text || upper(name_zh) || upper(name_en) || upper(description_zh)
        || upper(description_en),
        NULL
    )
$$
"""
INDEXES = {
    "catalog_product_search_text_trgm": (
        "catalog_product USING gin (search_text gin_trgm_ops)"
    ),
    "catalog_product_name_zh_trgm": "catalog_product USING gin (upper(name_zh) gin_trgm_ops)",
    "catalog_product_name_en_trgm": "catalog_product USING gin (upper(name_en) gin_trgm_ops)",
    "catalog_product_description_zh_trgm": (
        "catalog_product USING gin (upper(description_zh) gin_trgm_ops)"
    ),
    "catalog_product_description_en_trgm": (
        "catalog_product USING gin (upper(description_en) gin_trgm_ops)"
    ),
    "catalog_product_search_characters": (
        "catalog_product USING gin (catalog_product_search_characters("
        "search_text, name_zh, name_en, description_zh, description_en))"
    ),
    "catalog_variant_sku_trgm": "catalog_productvariant USING gin (upper(sku) gin_trgm_ops)",
    "catalog_variant_sku_characters": (
        "catalog_productvariant USING gin (string_to_array(upper(sku), NULL))"
    ),
    # The products of the relics a word names, read from the index alone.
    "catalog_product_relic_id_covering": "catalog_product (relic_id) INCLUDE (id)",
}


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension: the database owner may create it, no superuser needed.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(CHARACTERS_FUNCTION)
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS catalog_product_search_characters(text, text, text, text, text)"
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0002_product_list_entries"),
    ]

    operations = [
        migrations.RunPython(indexes_create, indexes_drop),
    ]

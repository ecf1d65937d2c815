"""The sold-out list entries of a channel, for a search's candidates (issue 21).

When the candidates that can be bought do not fill a search's cut, its sold-out products
are read (``catalog.search.queries``, ``_SOLD_OUT``): the name terms joined to the
channel's entries on show without free units. With no index of those, PostgreSQL walked
the channel's whole ``list_entry_newest`` (``has_free_units`` is its last column) to find
the few sold out: 18-31 ms for none at 100,000 products. This partial index holds only
the sold-out entries, by channel and product, with the listing's window beside them, so
that lookup reads the sold-out entries alone (see bench/README.md, "Sixth step").

PostgreSQL only: SQLite plans its small catalogs without it, and the model does not
declare it (a partial index with included columns is PostgreSQL's).
"""

from django.db import migrations

INDEX = "list_entry_sold_out"


def sold_out_index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_productlistentry "
        "(channel_id, product_id) INCLUDE (available_from, available_until) "
        "WHERE NOT has_free_units"
    )


def sold_out_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_search_terms_for_autocomplete"),
    ]

    operations = [
        migrations.RunPython(sold_out_index_create, sold_out_index_drop, elidable=False),
    ]

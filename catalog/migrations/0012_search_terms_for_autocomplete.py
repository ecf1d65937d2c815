"""The products' name terms, for autocomplete (``catalog.search.models.SearchTerm``).

The table starts empty: ``manage.py search_index_rebuild`` fills it (as the shop's write
paths keep it), so this migration changes the schema only.

Its prefix index is ``(whole, term, product_id)`` with the terms compared byte by byte:
``COLLATE "C"`` on PostgreSQL, whatever the database's collation, so that a prefix is
one range of the index, read in order (``term COLLATE "C" >= 'p' AND < 'p' || U+10FFFF``);
SQLite compares bytes already.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "catalog_searchterm_prefix"


def prefix_index_create(apps, schema_editor):
    collate = ' COLLATE "C"' if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON catalog_searchterm (whole, term{collate}, product_id)"
    )


def prefix_index_drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_csv_import_labels"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("term", models.CharField(max_length=200)),
                ("whole", models.BooleanField(default=False)),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_terms",
                        to="catalog.product",
                    ),
                ),
            ],
            options={
                "ordering": ["term", "product_id"],
            },
        ),
        migrations.RunPython(prefix_index_create, prefix_index_drop, elidable=False),
    ]

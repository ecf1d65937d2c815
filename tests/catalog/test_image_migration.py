"""The migration that made product pictures files keeps the rows it finds valid."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0003_search_indexes")]
AFTER = [("catalog", "0004_product_image_files")]


@pytest.fixture
def before_files(transactional_db):
    """The catalog as it was before pictures were files; migrated forward again after."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_old_addresses_are_kept_and_rows_without_one_removed(before_files):
    old = before_files.loader.project_state(BEFORE).apps
    product = old.get_model("catalog", "Product").objects.create(
        slug="fan", name_zh="折扇", name_en="Fan"
    )
    ProductImage = old.get_model("catalog", "ProductImage")
    ProductImage.objects.create(product=product, url="/static/demo/fan.jpg", alt_en="Fan")
    ProductImage.objects.create(product=product, url="", position=1)

    before_files.loader.build_graph()
    before_files.migrate(AFTER)

    new = before_files.loader.project_state(AFTER).apps
    rows = new.get_model("catalog", "ProductImage").objects.values_list(
        "external_url", "image", "width", "height", "alt_en", "position"
    )
    assert list(rows) == [("/static/demo/fan.jpg", "", None, None, "Fan", 0)]

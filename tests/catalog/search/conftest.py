"""Fixtures of the search's tests."""

import pytest

from tests.factories.catalog_search import search_catalog


@pytest.fixture
def searchable(db):
    """The small catalog of tests/factories/catalog_search.py, with its synonyms."""
    return search_catalog()

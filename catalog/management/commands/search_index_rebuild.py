"""Rebuild the catalog search: every product's search texts and the segmenter's words."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from catalog.search.rebuild import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild every product's search text and the search dictionary (after a bulk "
        "load that bypassed the shop's services, or after upgrading the search)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = search_index_rebuild()
        self.stdout.write(
            f"{report.products} products and {report.words} dictionary words rebuilt."
        )
        if report.chinese_trigrams_missing is not None:
            self.stderr.write(
                f"pg_trgm makes no trigrams of Chinese under LC_CTYPE "
                f"{report.chinese_trigrams_missing} on {connection.settings_dict['NAME']}: "
                "see catalog/migrations/0008 for how to recreate the database."
            )

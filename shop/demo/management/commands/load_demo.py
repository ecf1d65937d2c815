"""``manage.py load_demo``: fill the shop with the museum's and the newspaper's demo catalog.

Safe to run any number of times. Storefront keys of new channels are printed once
and also saved to ``.demo-channel-keys.json`` at the repository root (git-ignored),
so a developer can find them later; staff can issue new keys in the admin.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from shop.demo.data import DemoReport, demo_load
from shop.demo.data.orders import demo_orders_load

DEFAULT_KEYS_FILE = Path(settings.BASE_DIR) / ".demo-channel-keys.json"


def _keys_file_write(path: Path, issued: dict[str, str]) -> None:
    """Merge newly issued keys into the file, readable by its owner only."""
    keys: dict[str, str] = {}
    if path.exists():
        try:
            keys = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            keys = {}
    keys.update(issued)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(dict(sorted(keys.items())), handle, indent=2)
        handle.write("\n")


class Command(BaseCommand):
    help = (
        "Load demo partners, collections, relics, products, channels, stock and users. "
        "Idempotent. New storefront keys are printed and saved to .demo-channel-keys.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keys-file",
            default=str(DEFAULT_KEYS_FILE),
            help="Where to save newly issued storefront keys (JSON, channel code -> key).",
        )
        parser.add_argument(
            "--no-orders",
            action="store_true",
            help="Load the catalog only, without the months of demo orders.",
        )
        parser.add_argument(
            "--no-keys-file",
            action="store_true",
            help="Only print newly issued storefront keys; do not save them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_load()
        if not options["no_orders"]:
            orders = demo_orders_load()
            self.stdout.write(f"  demo orders: {orders}")
        self._print_rows(report)
        if report.issued_keys:
            self.stdout.write(
                self.style.WARNING("Storefront keys (shown once; only their hashes are stored):")
            )
            for code, key in sorted(report.issued_keys.items()):
                self.stdout.write(f"  {code}: {key}")
            if not options["no_keys_file"]:
                path = Path(options["keys_file"])
                _keys_file_write(path, report.issued_keys)
                self.stdout.write(f"  Saved to {path}")
        if report.channels_with_keys:
            self.stdout.write(
                "Storefront keys already exist for "
                + ", ".join(sorted(report.channels_with_keys))
                + f"; see {options['keys_file']}, or issue new ones in the admin "
                "(Sales channels > Issue a new storefront key)."
            )
        if not report.search_text_refreshed:
            self.stdout.write("Product search text not refreshed (catalog.search not present).")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def _print_rows(self, report: DemoReport) -> None:
        for label, count in sorted(report.rows.items()):
            self.stdout.write(f"  {label}: {count}")

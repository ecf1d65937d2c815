"""Compile the shop's translations (locale/<language>/LC_MESSAGES/django.po) into the
.mo files Django reads.

Written in Python with Babel, so no GNU gettext is needed: ``make messages`` runs it
after a translation changes. The .mo files are committed, so a fresh clone answers in
Chinese without running it; tests/shop/core/test_translations.py fails while a .mo is
older than its .po.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def messages_compile(locale: Path = LOCALE) -> list[Path]:
    """Write each .po's .mo beside it (fuzzy entries left out); returns the .mo paths."""
    written = []
    for po_path in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in messages_compile():
        print(f"compiled {path.relative_to(LOCALE.parent)}")
    sys.exit(0)

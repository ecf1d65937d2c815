"""Reading and writing CSV files: the shape of an upload, its rows, and the errors found
in them, by row number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from catalog.errors import ImportRejected

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000


class RowInvalid(Exception):
    def __init__(self, column: str, message: str) -> None:
        self.column = column
        self.message = message
        super().__init__(f"{column}: {message}")


@dataclass
class RowErrors:
    """Problems found in a file, by row number."""

    rows: dict[int, list[str]] = field(default_factory=dict)

    def add(self, row: int, message: str) -> None:
        self.rows.setdefault(row, []).append(message)

    def raise_if_any(self) -> None:
        if not self.rows:
            return
        ordered = sorted(self.rows.items())
        raise ImportRejected(
            fields={f"row_{row}": messages for row, messages in ordered},
            rows=[{"row": row, "errors": messages} for row, messages in ordered],
        )


def file_error(message: str) -> ImportRejected:
    return ImportRejected(fields={"file": [message]}, rows=[])


def csv_rows_read(upload: Any, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """The data rows of an uploaded CSV as (row number, values), after checking its shape."""
    if upload is None:
        raise file_error(_("Attach the CSV file as the form field 'file'."))
    raw = upload.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise file_error(
            _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(_("The file is not UTF-8 text; save it as 'CSV UTF-8'.")) from exc
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise file_error(_("The file is not valid CSV: %(error)s.") % {"error": exc}) from exc
    if not records or not any(cell.strip() for cell in records[0]):
        raise file_error(_("The file is empty; the first row must name the columns."))
    header = [cell.strip().lower() for cell in records[0]]
    missing = [column for column in columns if column not in header]
    unknown = [column for column in header if column not in columns]
    duplicated = sorted({column for column in header if header.count(column) > 1})
    problems = []
    if missing:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if duplicated:
        problems.append(_("Repeated columns: %(columns)s.") % {"columns": ", ".join(duplicated)})
    if problems:
        raise ImportRejected(fields={"file": problems}, rows=[])
    data = [(number, cells) for number, cells in enumerate(records[1:], start=2) if any(cells)]
    if not data:
        raise file_error(_("The file has no data rows."))
    if len(data) > MAX_ROWS:
        raise file_error(_("At most %(count)s rows per file.") % {"count": MAX_ROWS})
    errors = RowErrors()
    rows = []
    for number, cells in data:
        if len(cells) != len(header):
            errors.add(
                number,
                _("Expected %(expected)s cells, found %(found)s.")
                % {"expected": len(header), "found": len(cells)},
            )
            continue
        rows.append(
            (number, {name: cell.strip() for name, cell in zip(header, cells, strict=True)})
        )
    errors.raise_if_any()
    return rows


def csv_text(columns: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV lines with a byte-order mark, so spreadsheet programs read the Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()

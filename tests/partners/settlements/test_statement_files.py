"""A settlement's statement as CSV, XLSX and PDF."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zlib

import pytest
from openpyxl import load_workbook

from partners.models import Settlement
from partners.settlements.closing import settlement_close
from partners.settlements.pdf_pages import _font_file
from partners.settlements.statement_files import statement_csv, statement_pdf, statement_xlsx
from partners.settlements.statements import settlement_statement_get
from tests.factories.ledger import SHANGHAI

pytestmark = pytest.mark.django_db

MAY = dt.datetime(2025, 5, 10, 12, tzinfo=SHANGHAI)
JUNE_3 = dt.datetime(2025, 6, 3, 9, tzinfo=SHANGHAI)


def test_statements_carry_the_same_figures_in_csv_xlsx_and_pdf(order_paid_in_may, museum):
    order, _ = order_paid_in_may
    settlement = settlement_close(
        settlement_id=Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1)).pk,
        now=JUNE_3,
    )
    statement = settlement_statement_get(settlement)

    csv_text = statement_csv(statement).decode("utf-8-sig")
    assert f"{order.number},118.88,0.00,0.00,0.00,-0.91,117.97" in csv_text
    assert "TOTAL,118.88,0.00,0.00,0.00,-0.91,117.97" in csv_text

    sheet = load_workbook(io.BytesIO(statement_xlsx(statement))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["合计 Total", 118.88, 0, 0, 0, -0.91, 117.97] in values
    assert ["对方 Counterparties", "新京报 (Beijing News)", None, None, None, None, None] in values

    pdf = statement_pdf(statement)
    assert pdf.startswith(b"%PDF-")
    assert b"(Page 1 of 1)" in _pdf_text(pdf)


def _pdf_text(pdf: bytes) -> bytes:
    """The PDF's streams, decoded (reportlab writes them ASCII85 over Flate)."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2])
        try:
            out.append(zlib.decompress(data))
        except zlib.error:
            out.append(data)
    return b"\n".join(out)


@pytest.mark.skipif(
    _font_file() is None,
    reason="No CJK TrueType font: `apt-get install fonts-wqy-microhei` or set PARTNER_PDF_FONT.",
)
def test_statement_pdf_embeds_its_chinese_font(order_paid_in_may, museum):
    settlement = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))

    pdf = statement_pdf(settlement_statement_get(settlement))

    # A TrueType font program in the file (a subset of the glyphs used), no reader's CID font.
    assert b"/FontFile2" in pdf
    assert b"STSong-Light" not in pdf


def test_a_long_statement_numbers_every_page(order_paid_in_may, museum):
    settlement = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))
    statement = settlement_statement_get(settlement)
    statement.lines = statement.lines * 150

    text = _pdf_text(statement_pdf(statement))

    pages = int(re.findall(rb"\(Page 1 of (\d+)\)", text)[0])
    assert pages > 2
    assert f"(Page {pages} of {pages})".encode() in text

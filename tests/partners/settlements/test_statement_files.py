"""A settlement's statement as CSV, XLSX and PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from partners.models import Settlement
from partners.settlements.closing import settlement_close
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
    assert b"STSong-Light" in pdf

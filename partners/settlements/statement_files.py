"""Settlement statements as CSV, XLSX and PDF, from one :class:`Statement`.

The three files carry the same figures: the totals, then a line per order. The
PDF names both sides of the cooperation, numbers its pages and embeds its Chinese
font (:mod:`partners.settlements.pdf_pages`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from partners.models import SettlementStatus
from partners.settlements.pdf_pages import numbered_canvas, pdf_font
from partners.settlements.statements import (
    TOTAL_COLUMNS,
    Statement,
    StatementLine,
)

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


HEADINGS = {
    "gross": ("销售分成", "Sales shares"),
    "commissions": ("渠道佣金", "Commissions"),
    "refunds": ("退款冲回", "Refunds"),
    "logistics_fees": ("物流费", "Logistics fees"),
    "payment_fees": ("支付手续费", "Payment fees"),
    "net": ("应结净额", "Net owed"),
}


def statement_filename(statement: Statement, fmt: str) -> str:
    return f"{statement.settlement.number}.{fmt}"


def _partner_label(partner) -> str:
    return f"{partner.name_zh} ({partner.name_en})"


def _status_label(statement: Statement) -> str:
    if statement.settlement.status == SettlementStatus.CLOSED:
        return "已结算 Closed"
    return "未结算（临时）Open (provisional)"


def _row(line: StatementLine) -> list[str]:
    return [line.order_number, *(f"{getattr(line, c):.2f}" for c in TOTAL_COLUMNS)]


def statement_csv(statement: Statement) -> bytes:
    settlement = statement.settlement
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["statement", settlement.number])
    writer.writerow(["partner", settlement.partner.code, _partner_label(settlement.partner)])
    writer.writerow(["period", f"{settlement.period:%Y-%m}"])
    writer.writerow(["status", settlement.status])
    writer.writerow(["currency", "CNY"])
    writer.writerow([])
    writer.writerow(["order", *TOTAL_COLUMNS])
    for line in statement.lines:
        writer.writerow(_row(line))
    writer.writerow(["TOTAL", *(f"{getattr(statement.totals, c):.2f}" for c in TOTAL_COLUMNS)])
    # A BOM so spreadsheet programs read the Chinese names as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def statement_xlsx(statement: Statement) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    settlement = statement.settlement
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{settlement.period:%Y-%m}"
    bold = Font(bold=True)
    sheet.append(["结算单 Statement", settlement.number])
    sheet.append(["合作方 Partner", _partner_label(settlement.partner)])
    sheet.append(
        ["对方 Counterparties", ", ".join(_partner_label(p) for p in statement.counterparties)]
    )
    sheet.append(["期间 Period", f"{settlement.period:%Y-%m}"])
    sheet.append(["状态 Status", _status_label(statement)])
    sheet.append(["币种 Currency", "CNY"])
    sheet.append([])
    header = ["订单 Order", *(f"{HEADINGS[c][0]} {HEADINGS[c][1]}" for c in TOTAL_COLUMNS)]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    first = sheet.max_row + 1
    for line in statement.lines:
        sheet.append([line.order_number, *(getattr(line, c) for c in TOTAL_COLUMNS)])
    sheet.append(["合计 Total", *(getattr(statement.totals, c) for c in TOTAL_COLUMNS)])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=first, min_col=2):
        for cell in row:
            cell.number_format = "#,##0.00"
    sheet.column_dimensions["A"].width = 16
    for letter in "BCDEFG":
        sheet.column_dimensions[letter].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


@dataclass(frozen=True)
class _PdfStyles:
    title: Any
    body: Any
    small: Any


def _pdf_styles() -> _PdfStyles:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    font = pdf_font()
    return _PdfStyles(
        title=ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4),
        body=ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14),
        small=ParagraphStyle("small", fontName=font, fontSize=8, leading=11, textColor=colors.grey),
    )


def _pdf_heading(statement: Statement, styles: _PdfStyles) -> list[Any]:
    """Who the statement is for, with whom, for which month, and whether it is final."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    settlement = statement.settlement
    body = styles.body
    counterparties = "；".join(_partner_label(p) for p in statement.counterparties) or "—"
    return [
        Paragraph("合作分账结算单 Settlement Statement", styles.title),
        Paragraph(f"结算单号 Statement no.: {settlement.number}", body),
        Paragraph(f"结算方 Partner: {_partner_label(settlement.partner)}", body),
        Paragraph(f"合作方 Counterparties: {counterparties}", body),
        Paragraph(
            f"结算期间 Period: {settlement.period:%Y-%m} （{settlement.partner.timezone}）", body
        ),
        Paragraph(f"状态 Status: {_status_label(statement)}　币种 Currency: CNY (元)", body),
        Spacer(1, 6 * mm),
    ]


def _pdf_totals(statement: Statement) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    totals = [
        [f"{HEADINGS[c][0]} {HEADINGS[c][1]}", _money(getattr(statement.totals, c))]
        for c in TOTAL_COLUMNS
    ]
    table = Table(totals, colWidths=[70 * mm, 40 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), pdf_font(), 9.5),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("FONT", (0, -1), (-1, -1), pdf_font(), 11),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _pdf_lines(statement: Statement) -> Any:
    """A row per order and the total, the heading repeated on every page."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    header = ["订单 Order", *(HEADINGS[c][0] for c in TOTAL_COLUMNS)]
    rows = [
        [line.order_number, *(_money(getattr(line, c)) for c in TOTAL_COLUMNS)]
        for line in statement.lines
    ]
    rows.append(["合计 Total", *(_money(getattr(statement.totals, c)) for c in TOTAL_COLUMNS)])
    table = Table([header, *rows], repeatRows=1, colWidths=[30 * mm] + [25 * mm] * 6)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), pdf_font(), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#8b1e1e")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f5f0e6")]),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
            ]
        )
    )
    return table


def _pdf_footer(styles: _PdfStyles) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    return [
        Spacer(1, 8 * mm),
        Paragraph(
            "金额由分账台账逐笔汇总，精确到分；已结算期间不再变更，之后的更正计入下一期间。"
            " Amounts are summed from the split ledger, exact to the fen; a closed period never"
            " changes and later corrections go into the next period.",
            styles.small,
        ),
        Paragraph(f"生成时间 Generated: {timezone.localtime():%Y-%m-%d %H:%M}", styles.small),
    ]


def statement_pdf(statement: Statement) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    styles = _pdf_styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"Settlement statement {statement.settlement.number}",
        author="Co-branded cultural products shop",
    )
    document.build(
        [
            *_pdf_heading(statement, styles),
            _pdf_totals(statement),
            Spacer(1, 6 * mm),
            _pdf_lines(statement),
            *_pdf_footer(styles),
        ],
        canvasmaker=numbered_canvas(pdf_font()),
    )
    return out.getvalue()


def statement_render(statement: Statement, fmt: str) -> bytes:
    if fmt == "csv":
        return statement_csv(statement)
    if fmt == "xlsx":
        return statement_xlsx(statement)
    return statement_pdf(statement)

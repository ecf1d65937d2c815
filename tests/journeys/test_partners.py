"""A partner's viewer reads the month's figures and downloads a closed month's statement,
and sees nothing of the other partner."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from tests.journeys import demo
from tests.journeys.shop_api import API, signed_in
from tests.journeys.stacks import Stack

pytestmark = pytest.mark.journey

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def statement_totals(text: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(text)))
    header = next(row for row in rows if row[:2] == ["order", "gross"])
    total = next(row for row in rows if row[:1] == ["TOTAL"])
    return dict(zip(header[1:], total[1:], strict=True))


def test_a_partner_viewer_reads_the_month_and_downloads_a_closed_statement(stack: Stack):
    viewer = signed_in(stack.base_url, *demo.MUSEUM_VIEWER)

    summary = viewer.get(f"{API}/partners/reports/summary/")
    assert summary["partner"] == "museum"
    assert summary["date_from"][8:] == "01"
    assert summary["date_from"][:7] == summary["date_to"][:7]
    assert Decimal(summary["net"]) == Decimal(summary["gross"]) - Decimal(summary["refunds"])

    settlements = viewer.get(f"{API}/partners/settlements/")
    assert {s["partner"] for s in settlements} == {"museum"}
    for this_month in [s for s in settlements if s["status"] == "open"]:
        # The list shows the month's figures so far, as its statement does.
        so_far = viewer.get(f"{API}/partners/settlements/{this_month['id']}/")
        assert (this_month["gross"], this_month["net"]) == (so_far["gross"], so_far["net"])
    closed = next(s for s in settlements if s["status"] == "closed")
    detail = viewer.get(f"{API}/partners/settlements/{closed['id']}/")
    assert (detail["net"], detail["period"]) == (closed["net"], closed["period"])
    assert detail["lines"]

    as_csv = viewer.request("GET", closed["downloads"]["csv"], expect=200)
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    totals = statement_totals(as_csv.content.decode("utf-8-sig"))
    assert (totals["gross"], totals["net"]) == (closed["gross"], closed["net"])
    as_xlsx = viewer.request("GET", closed["downloads"]["xlsx"], expect=200)
    assert as_xlsx.headers["Content-Type"] == XLSX
    assert as_xlsx.content[:2] == b"PK"
    as_pdf = viewer.request("GET", closed["downloads"]["pdf"], expect=200)
    assert as_pdf.headers["Content-Type"] == "application/pdf"
    assert as_pdf.content[:5] == b"%PDF-"


def test_a_partner_viewer_sees_nothing_of_the_other_partner(stack: Stack):
    museum = signed_in(stack.base_url, *demo.MUSEUM_VIEWER)
    media = signed_in(stack.base_url, *demo.MEDIA_VIEWER)
    theirs = media.get(f"{API}/partners/settlements/")
    assert theirs and {s["partner"] for s in theirs} == {"media"}

    for settlement in theirs:
        path = f"{API}/partners/settlements/{settlement['id']}"
        museum.refused("GET", f"{path}/", 404, "settlement_not_found")
        museum.refused("GET", f"{path}/statement.csv", 404, "settlement_not_found")
    asking_for_theirs = museum.get(f"{API}/partners/settlements/", params={"partner": "media"})
    assert {s["partner"] for s in asking_for_theirs} == {"museum"}
    assert museum.get(f"{API}/partners/reports/summary/", params={"partner": "media"})[
        "partner"
    ] == ("museum")

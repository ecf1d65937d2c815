"""Closing monthly settlements, late events, statements and Stripe Connect transfers."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from openpyxl import load_workbook

from partners.errors import SettlementPeriodNotOver
from partners.models import LedgerEntry, Settlement, SettlementEvent, SettlementLine
from partners.settlements.closing import settlement_close, settlements_close_due
from partners.settlements.statement_files import statement_csv, statement_pdf, statement_xlsx
from partners.settlements.statements import settlement_statement_get
from partners.settlements.transfers import settlement_transfer_send
from shop.core.money import MoneySum
from tests import factories
from tests.partners.builders import SHANGHAI, agreement_with_terms, paid_order, refund_of, variant

pytestmark = pytest.mark.django_db

MAY = dt.datetime(2025, 5, 10, 12, tzinfo=SHANGHAI)
JUNE_3 = dt.datetime(2025, 6, 3, 9, tzinfo=SHANGHAI)


@pytest.fixture
def sold(museum, media):
    collection = factories.CollectionFactory()
    agreement_with_terms(
        collection=collection, parties=[(museum, "licensor", 7000), (media, "designer", 3000)]
    )
    channel = factories.SalesChannelFactory(owner=media, commission_rate=Decimal("0.1500"))
    order, payment = paid_order(
        channel=channel,
        items=[(variant(collection, "66.60"), 3)],
        shipping=Decimal("10.00"),
        fee=Decimal("1.30"),
        paid_at=MAY,
    )
    return order, payment


def test_closing_writes_totals_and_a_line_per_order_from_the_ledger(sold, museum):
    order, _ = sold
    settlement = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))

    closed = settlement_close(settlement_id=settlement.pk, now=JUNE_3)

    ledger_sum = LedgerEntry.objects.filter(partner=museum).aggregate(s=MoneySum("amount"))["s"]
    assert closed.status == "closed"
    assert closed.net == ledger_sum
    assert (closed.gross, closed.commissions, closed.payment_fees) == (
        Decimal("118.88"),
        Decimal("0.00"),
        Decimal("-0.91"),
    )
    line = SettlementLine.objects.get(settlement=settlement)
    assert (line.order_id, line.order_number, line.net) == (order.pk, order.number, closed.net)
    assert SettlementEvent.objects.filter(settlement=settlement, type="closed").count() == 1


def test_closing_before_the_month_is_over_is_refused_and_changes_nothing(sold, museum):
    settlement = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))

    with pytest.raises(SettlementPeriodNotOver):
        settlement_close(
            settlement_id=settlement.pk, now=dt.datetime(2025, 5, 31, 23, tzinfo=SHANGHAI)
        )

    settlement.refresh_from_db()
    assert settlement.status == "open"
    assert not SettlementLine.objects.exists()


def test_closing_twice_changes_nothing_and_a_late_refund_lands_in_the_next_month(sold, museum):
    order, payment = sold
    settlements_close_due(now=JUNE_3)
    may = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))
    totals = (may.net, may.gross, may.refunds, may.closed_at)

    refund_of(order, payment, Decimal("20.00"), at=dt.datetime(2025, 5, 31, 10, tzinfo=SHANGHAI))
    assert settlements_close_due(now=JUNE_3) == []

    may.refresh_from_db()
    assert (may.net, may.gross, may.refunds, may.closed_at) == totals
    late = LedgerEntry.objects.filter(partner=museum, kind="refund_reversal")
    assert set(late.values_list("period", flat=True)) == {dt.date(2025, 6, 1)}
    assert SettlementLine.objects.filter(settlement=may).count() == 1


def test_close_due_closes_last_month_for_every_partner_even_when_empty(museum, media):
    closed = settlements_close_due(now=JUNE_3)

    assert sorted(Settlement.objects.filter(pk__in=closed).values_list("partner__code", "net")) == [
        ("media", Decimal("0.00")),
        ("museum", Decimal("0.00")),
    ]


def test_statements_carry_the_same_figures_in_csv_xlsx_and_pdf(sold, museum):
    order, _ = sold
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


class _FakeStripe(BaseHTTPRequestHandler):
    calls: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).calls.append(
            {"path": self.path, "body": body, "key": self.headers.get("Idempotency-Key")}
        )
        payload = json.dumps({"id": "tr_123", "object": "transfer"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_stripe(settings):
    server = HTTPServer(("127.0.0.1", 0), _FakeStripe)
    _FakeStripe.calls = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.STRIPE_SECRET_KEY = "sk_test_partners"
    settings.PARTNERS_STRIPE_TRANSFERS = True
    yield _FakeStripe.calls
    server.shutdown()


def test_closing_sends_one_transfer_to_the_connected_account(
    sold, museum, fake_stripe, django_capture_on_commit_callbacks
):
    museum.stripe_account_id = "acct_museum"
    museum.save()
    settlement = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))

    with django_capture_on_commit_callbacks(execute=True):
        settlement_close(settlement_id=settlement.pk, now=JUNE_3)
    settlement_transfer_send(settlement_id=settlement.pk)  # a retry: nothing more is sent

    settlement.refresh_from_db()
    assert (settlement.transfer_status, settlement.stripe_transfer_id) == ("sent", "tr_123")
    assert len(fake_stripe) == 1
    call = fake_stripe[0]
    assert call["path"] == "/v1/transfers"
    assert call["key"] == f"settlement-transfer-{settlement.pk}"
    assert "amount=11797" in call["body"]
    assert "destination=acct_museum" in call["body"]
    assert "transfer_group=settlement-museum-2025-05" in call["body"]


def test_no_transfer_when_the_setting_is_off(sold, museum, fake_stripe, settings):
    settings.PARTNERS_STRIPE_TRANSFERS = False
    museum.stripe_account_id = "acct_museum"
    museum.save()
    settlement = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))
    settlement_close(settlement_id=settlement.pk, now=JUNE_3)

    settlement_transfer_send(settlement_id=settlement.pk)

    settlement.refresh_from_db()
    assert settlement.transfer_status == "none"
    assert fake_stripe == []

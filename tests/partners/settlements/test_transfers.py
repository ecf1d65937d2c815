"""Paying a closed settlement through Stripe Connect (a fake Stripe over HTTP)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from partners.models import Settlement
from partners.settlements.closing import settlement_close
from partners.settlements.transfers import settlement_transfer_send
from tests.factories.ledger import SHANGHAI

pytestmark = pytest.mark.django_db

MAY = dt.datetime(2025, 5, 10, 12, tzinfo=SHANGHAI)
JUNE_3 = dt.datetime(2025, 6, 3, 9, tzinfo=SHANGHAI)


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
    order_paid_in_may, museum, fake_stripe, django_capture_on_commit_callbacks
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


def test_no_transfer_when_the_setting_is_off(order_paid_in_may, museum, fake_stripe, settings):
    settings.PARTNERS_STRIPE_TRANSFERS = False
    museum.stripe_account_id = "acct_museum"
    museum.save()
    settlement = Settlement.objects.get(partner=museum, period=dt.date(2025, 5, 1))
    settlement_close(settlement_id=settlement.pk, now=JUNE_3)

    settlement_transfer_send(settlement_id=settlement.pk)

    settlement.refresh_from_db()
    assert settlement.transfer_status == "none"
    assert fake_stripe == []

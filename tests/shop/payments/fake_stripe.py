"""A tiny local Stripe API for tests: the real ``stripe`` library talks HTTP to it.

It keeps PaymentIntents and Refunds in memory with the states Stripe gives them, replays
a POST with an Idempotency-Key it has seen (as Stripe does), records every request, and
can be told to answer the next requests with an error or slowly (to trigger the
client's timeout). Tests drive what happens at Stripe: an intent succeeds (for another
amount or currency, if they say so) or is declined; refunds are made pending (as
Alipay's and WeChat Pay's are) and later succeed, fail or are cancelled; a refund is
made in the dashboard.

Routes: POST/GET /v1/payment_intents[/:id], POST /v1/payment_intents/:id/cancel,
POST /v1/refunds, GET /v1/refunds/:id, GET /v1/refunds?payment_intent=.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]


@dataclass
class FakeStripe:
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    replays: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    trouble: list[tuple[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set when the fake stops: an answer held back to look slow goes out at once.
    stopped: threading.Event = field(default_factory=threading.Event)
    counter: int = 0
    server: ThreadingHTTPServer | None = None
    # The status new refunds get: "succeeded" (cards) or "pending" (Alipay, WeChat Pay).
    refund_status: str = "succeeded"

    # -- driving it from tests -------------------------------------------------

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail_next(self, status: int = 500, error: dict[str, Any] | None = None) -> None:
        self.trouble.append(("status", (status, error or {"type": "api_error"})))

    def slow_next(self, seconds: float) -> None:
        """Answer the next request after ``seconds``, or when the fake stops (it is still
        carried out): a Stripe slower than the shop's timeout."""
        self.trouble.append(("late", seconds))

    def succeed(
        self,
        intent_id: str,
        *,
        fee_fen: int = 0,
        fee_currency: str = "cny",
        received_fen: int | None = None,
        currency: str | None = None,
    ) -> None:
        """The shopper pays the intent: in full, or for ``received_fen`` (a capture of
        less) and in ``currency`` (an intent updated before it was confirmed)."""
        with self.lock:
            intent = self.intents[intent_id]
            intent["status"] = "succeeded"
            intent["last_payment_error"] = None
            if currency is not None:
                intent["currency"] = currency
            received = intent["amount"] if received_fen is None else received_fen
            intent["amount_received"] = received
            intent["latest_charge"] = {
                "id": f"ch_{intent_id}",
                "object": "charge",
                "amount": received,
                "currency": intent["currency"],
                "amount_refunded": 0,
                "payment_intent": intent_id,
                "balance_transaction": {
                    "id": f"txn_{intent_id}",
                    "object": "balance_transaction",
                    "fee": fee_fen,
                    "currency": fee_currency,
                },
            }

    def decline(self, intent_id: str) -> None:
        with self.lock:
            intent = self.intents[intent_id]
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "insufficient_funds",
                "message": "Your card has insufficient funds.",
            }

    def refund_in_dashboard(self, intent_id: str, fen: int, *, status: str = "succeeded") -> str:
        """Staff refund the intent in Stripe's dashboard (no metadata of ours); its id."""
        with self.lock:
            refund = self._refund_make(self.intents[intent_id], fen, {}, status)
            return refund["id"]

    def refund_settle(self, refund_id: str, status: str) -> None:
        """A pending refund succeeds, fails or is cancelled; one that fails or is cancelled
        gives its amount back to the charge (as Stripe does)."""
        assert status in ("succeeded", "failed", "canceled")
        with self.lock:
            refund = self.refunds[refund_id]
            assert refund["status"] in ("pending", "succeeded"), refund["status"]
            refund["status"] = status
            if status != "succeeded":
                refund["failure_reason"] = (
                    "expired_or_canceled_card" if status == "failed" else None
                )
                self.intents[refund["payment_intent"]]["latest_charge"]["amount_refunded"] -= (
                    refund["amount"]
                )

    def calls(self, method: str, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # -- the API -------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], params: dict[str, str]):
        with self.lock:
            self.requests.append(Recorded(method, path, headers, params))
            trouble = self.trouble.pop(0) if self.trouble else None
        if trouble and trouble[0] == "late":
            self.stopped.wait(trouble[1])
        elif trouble and trouble[0] == "status":
            status, error = trouble[1]
            return status, {"error": {"message": "Something went wrong.", **error}}
        key = headers.get("idempotency-key")
        with self.lock:
            if method == "POST" and key and key in self.replays:
                return self.replays[key]
            answer = self._route(method, path, params)
            if method == "POST" and key and answer[0] < 500:
                self.replays[key] = answer
            return answer

    def _next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter:06d}"

    def _route(self, method: str, path: str, params: dict[str, str]):
        if method == "POST" and path == "/v1/payment_intents":
            return self._intent_create(params)
        if (
            method == "POST"
            and path.startswith("/v1/payment_intents/")
            and path.endswith("/cancel")
        ):
            return self._intent_cancel(path.split("/")[3])
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            intent = self.intents.get(path.rsplit("/", 1)[1])
            return (200, intent) if intent is not None else _missing()
        if method == "POST" and path == "/v1/refunds":
            return self._refund_create(params)
        if method == "GET" and path == "/v1/refunds":
            return self._refunds_list(params.get("payment_intent", ""))
        if method == "GET" and path.startswith("/v1/refunds/"):
            refund = self.refunds.get(path.rsplit("/", 1)[1])
            return (200, refund) if refund is not None else _missing()
        return 404, {"error": {"type": "invalid_request_error", "message": "no such route"}}

    def _intent_create(self, params: dict[str, str]):
        intent_id = self._next_id("pi")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "amount_received": 0,
            "currency": params["currency"],
            "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_abc",
            "metadata": _metadata(params),
            "last_payment_error": None,
            "latest_charge": None,
        }
        self.intents[intent_id] = intent
        return 200, intent

    def _intent_cancel(self, intent_id: str):
        intent = self.intents.get(intent_id)
        if intent is None:
            return _missing()
        if intent["status"] in ("succeeded", "canceled"):
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "code": "payment_intent_unexpected_state",
                    "message": "You cannot cancel this PaymentIntent because it has a"
                    f" status of {intent['status']}.",
                    "payment_intent": intent,
                }
            }
        intent["status"] = "canceled"
        intent["cancellation_reason"] = "requested_by_customer"
        return 200, intent

    def _refund_create(self, params: dict[str, str]):
        intent = self.intents.get(params.get("payment_intent", ""))
        charge = intent and intent.get("latest_charge")
        amount = int(params["amount"])
        if not charge or charge["amount_refunded"] + amount > charge["amount"]:
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "code": "charge_already_refunded",
                    "message": "Refund amount is greater than unrefunded amount.",
                }
            }
        return 200, self._refund_make(intent, amount, _metadata(params), self.refund_status)

    def _refunds_list(self, intent_id: str):
        found = [r for r in self.refunds.values() if r["payment_intent"] == intent_id]
        return 200, {
            "object": "list",
            "url": "/v1/refunds",
            "has_more": False,
            "data": sorted(found, key=lambda r: r["created"], reverse=True),
        }

    def _refund_make(
        self, intent: dict[str, Any], amount: int, metadata: dict[str, str], status: str
    ) -> dict[str, Any]:
        intent["latest_charge"]["amount_refunded"] += amount
        refund = {
            "id": self._next_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "charge": intent["latest_charge"]["id"],
            "status": status,
            "failure_reason": None,
            "metadata": metadata,
            "created": 1700000000 + self.counter,
        }
        self.refunds[refund["id"]] = refund
        return refund

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> FakeStripe:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else parts.query
                params = dict(parse_qsl(body, keep_blank_values=True))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload = fake.handle(method, parts.path, headers, params)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _missing() -> tuple[int, dict[str, Any]]:
    return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}


def _metadata(params: dict[str, str]) -> dict[str, str]:
    """The ``metadata[...]`` fields of a form-encoded Stripe request."""
    return {k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("meta")}

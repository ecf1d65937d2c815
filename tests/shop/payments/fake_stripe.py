"""A tiny local Stripe API for tests: the real ``stripe`` library talks HTTP to it.

It keeps PaymentIntents and Refunds in memory, replays a POST with an Idempotency-Key
it has seen (as Stripe does), records every request, and can be told to answer the
next requests with an error or slowly (to trigger the client's timeout).
"""

from __future__ import annotations

import json
import threading
import time
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
    counter: int = 0
    server: ThreadingHTTPServer | None = None

    # -- driving it from tests -------------------------------------------------

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail_next(self, status: int = 500, error: dict[str, Any] | None = None) -> None:
        self.trouble.append(("status", (status, error or {"type": "api_error"})))

    def slow_next(self, seconds: float) -> None:
        """Answer the next request after ``seconds`` (it is still carried out)."""
        self.trouble.append(("sleep", seconds))

    def succeed(self, intent_id: str, *, fee_fen: int = 0, fee_currency: str = "cny") -> None:
        with self.lock:
            intent = self.intents[intent_id]
            intent["status"] = "succeeded"
            intent["last_payment_error"] = None
            intent["latest_charge"] = {
                "id": f"ch_{intent_id}",
                "object": "charge",
                "amount": intent["amount"],
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

    def refund_in_dashboard(self, intent_id: str, fen: int) -> None:
        with self.lock:
            self.intents[intent_id]["latest_charge"]["amount_refunded"] += fen

    def calls(self, method: str, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # -- the API -------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], params: dict[str, str]):
        with self.lock:
            self.requests.append(Recorded(method, path, headers, params))
            trouble = self.trouble.pop(0) if self.trouble else None
        if trouble and trouble[0] == "sleep":
            time.sleep(trouble[1])
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
            intent_id = self._next_id("pi")
            intent = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": int(params["amount"]),
                "currency": params["currency"],
                "status": "requires_payment_method",
                "client_secret": f"{intent_id}_secret_abc",
                "metadata": {
                    k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("meta")
                },
                "last_payment_error": None,
                "latest_charge": None,
            }
            self.intents[intent_id] = intent
            return 200, intent
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            intent = self.intents.get(path.rsplit("/", 1)[1])
            if intent is None:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
            return 200, intent
        if method == "POST" and path == "/v1/refunds":
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
            charge["amount_refunded"] += amount
            refund = {
                "id": self._next_id("re"),
                "object": "refund",
                "amount": amount,
                "payment_intent": intent["id"],
                "status": "succeeded",
            }
            self.refunds[refund["id"]] = refund
            return 200, refund
        return 404, {"error": {"type": "invalid_request_error", "message": "no such route"}}

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
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

"""A local fake of Stripe's API for the benchmark, reached over HTTP as the real one is.

Run as ``python -m bench.provider PORT SHOP_PORT WEBHOOK_SECRET CREATE_MS READ_MS``. The
shop's Stripe provider (``STRIPE_API_BASE`` pointing here) creates and reads
PaymentIntents through the ``stripe`` library, exactly as it does in production; this
server answers a create after ``CREATE_MS`` (about 100 ms, as Stripe and WeChat Pay
take) and a read after ``READ_MS``. Everything is kept in memory, for one run.

The shopper pays as Stripe.js does: ``POST /v1/payment_intents/<id>/confirm`` with the
client secret. The intent succeeds and the server delivers the signed
``payment_intent.succeeded`` webhook to the shop (which reads the intent back and marks
the order paid) before it answers the shopper, so the shopper's "pay" step lasts until
the shop has taken the payment; the answer carries the webhook's status in
``X-Webhook-Status``. It serves only 127.0.0.1 and imports nothing of the shop.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import sys
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bench.loadgen.client import Client


class FakeStripe:
    def __init__(self, shop_port: int, secret: str, create_ms: float, read_ms: float) -> None:
        self.shop_port = shop_port
        self.secret = secret
        self.create_s = create_ms / 1000
        self.read_s = read_ms / 1000
        self.intents: dict[str, dict[str, Any]] = {}
        self.replays: dict[str, tuple[int, dict[str, Any]]] = {}
        self.ids = itertools.count(1)
        self.webhook_clients: list[Client] = []
        self.counts: dict[str, int] = {}

    # --- the API ------------------------------------------------------------------------

    async def answer(
        self, method: str, path: str, headers: dict[str, str], params: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        key = headers.get("idempotency-key")
        if method == "POST" and key and key in self.replays:
            status, body = self.replays[key]
            return status, body, {}
        parts = path.strip("/").split("/")
        route = f"{method} {'/'.join(parts[:2])}" + (f" {parts[3]}" if len(parts) > 3 else "")
        self.counts[route] = self.counts.get(route, 0) + 1
        extra: dict[str, str] = {}
        if route == "POST v1/payment_intents" and len(parts) == 2:
            await asyncio.sleep(self.create_s)
            status, body = 200, self._create(params)
        elif route == "GET v1/payment_intents" and len(parts) == 3:
            await asyncio.sleep(self.read_s)
            status, body = self._found(parts[2])
        elif route == "POST v1/payment_intents confirm":
            status, body = self._found(parts[2])
            if status == 200 and body["status"] != "succeeded":
                self._succeed(body)
                extra["X-Webhook-Status"] = str(await self._webhook(body))
        elif route == "POST v1/payment_intents cancel":
            status, body = self._found(parts[2])
            if status == 200 and body["status"] not in ("succeeded", "canceled"):
                body["status"] = "canceled"
        else:
            status, body = 404, {"error": {"type": "invalid_request_error", "message": route}}
        if method == "POST" and key and status < 500:
            self.replays[key] = (status, body)
        return status, body, extra

    def _create(self, params: dict[str, str]) -> dict[str, Any]:
        intent_id = f"pi_bench{next(self.ids):08d}"
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "amount_received": 0,
            "currency": params["currency"],
            "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_bench",
            "metadata": {
                k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("meta")
            },
            "last_payment_error": None,
            "latest_charge": None,
        }
        self.intents[intent_id] = intent
        return intent

    def _found(self, intent_id: str) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(intent_id)
        if intent is None:
            return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
        return 200, intent

    def _succeed(self, intent: dict[str, Any]) -> None:
        intent["status"] = "succeeded"
        intent["amount_received"] = intent["amount"]
        intent["latest_charge"] = {
            "id": f"ch_{intent['id']}",
            "object": "charge",
            "amount": intent["amount"],
            "currency": intent["currency"],
            "amount_refunded": 0,
            "payment_intent": intent["id"],
            "balance_transaction": {
                "id": f"txn_{intent['id']}",
                "object": "balance_transaction",
                "fee": intent["amount"] * 6 // 1000,
                "currency": "cny",
            },
        }

    async def _webhook(self, intent: dict[str, Any]) -> int:
        """The signed event delivered to the shop; its answer's status (0: no answer)."""
        event = {
            "id": f"evt_{intent['id']}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {"object": intent},
        }
        payload = json.dumps(event)
        stamp = int(time.time())
        signature = hmac.new(
            self.secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256
        ).hexdigest()
        client = self.webhook_clients.pop() if self.webhook_clients else Client(self.shop_port)
        try:
            answer = await client.send(
                "POST",
                "/api/v1/payments/stripe/webhook/",
                headers={"Stripe-Signature": f"t={stamp},v1={signature}"},
                body=event,
            )
        except Exception:
            await client.close()
            return 0
        self.webhook_clients.append(client)
        return answer.status

    # --- HTTP ---------------------------------------------------------------------------

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                method, target, _ = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                body = (await reader.readexactly(length)).decode() if length else ""
                parts = urlsplit(target)
                params = dict(parse_qsl(body or parts.query, keep_blank_values=True))
                status, answer, extra = await self.answer(method, parts.path, headers, params)
                data = json.dumps(answer).encode()
                head = [f"HTTP/1.1 {status} OK", "Content-Type: application/json"]
                head += [f"Content-Length: {len(data)}", "Request-Id: req_bench"]
                head += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            writer.close()


async def main(port: int, shop_port: int, secret: str, create_ms: float, read_ms: float) -> None:
    fake = FakeStripe(shop_port, secret, create_ms, read_ms)
    server = await asyncio.start_server(fake.serve, "127.0.0.1", port, backlog=2048)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    port, shop_port, secret, create_ms, read_ms = sys.argv[1:6]
    asyncio.run(main(int(port), int(shop_port), secret, float(create_ms), float(read_ms)))

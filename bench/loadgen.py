"""The load generator: a small asyncio HTTP/1.1 client with keep-alive, and the three
ways the scenarios drive the shop. It runs in its own process (``python -m bench.loadgen``
with a JSON spec on stdin, the measurements as JSON on stdout), imports nothing of the
shop, and only ever connects to 127.0.0.1.

Kinds of spec:

- ``requests``: ``concurrency`` connections send the given requests back to back (each
  connection takes the next one of the list, round robin) for ``seconds`` after a
  ``warmup``, at most ``max_requests``;
- ``checkout``: ``concurrency`` shoppers each buy one item again and again, by the
  storefront's buy now (``flow`` "buy-now": the order placed in one request with its line,
  details and payment started, then the fake confirmation), with a cart first
  ("cart-then-order": a cart with its line and details, the order with its payment
  started, the fake confirmation) or step by step ("step-by-step": cart, line, checkout
  details, order with an Idempotency-Key, payment start, fake confirmation);
- ``drop``: ``shoppers`` carts are readied (cart, line, details), then every shopper
  places the order at the same instant, each on its own open connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"
READ_LIMIT = 64 * 1024 * 1024


class ConnectionLost(Exception):
    pass


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One keep-alive connection; reopened when the server closed it."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port, limit=READ_LIMIT)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> Answer:
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body is not None:
            lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(payload)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
        for attempt in (1, 2):
            if self.writer is None:
                await self.open()
            try:
                return await asyncio.wait_for(self._exchange(request), self.timeout)
            except ConnectionLost:
                # The server closed an idle keep-alive connection before reading this
                # request: nothing reached it, so sending again is safe.
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, request: bytes) -> Answer:
        assert self.reader is not None and self.writer is not None
        try:
            self.writer.write(request)
            await self.writer.drain()
            status_line = await self.reader.readline()
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise ConnectionLost() from exc
        if not status_line:
            raise ConnectionLost()
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        elif status in (204, 304):
            body = b""
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Answer(status, headers, body)

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readline()).split(b";")[0], 16)
            if size == 0:
                await self.reader.readline()
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()


@dataclass
class Record:
    """What one measured phase saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # exceptions and unexpected answers
    started: float = 0.0
    ended: float = 0.0
    steps: dict[str, list[float]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        elapsed = max(self.ended - self.started, 1e-9)
        ordered = sorted(self.latencies)
        return {
            "count": len(ordered),
            "seconds": round(elapsed, 3),
            "rps": round(len(ordered) / elapsed, 1),
            "p50_ms": _percentile_ms(ordered, 50),
            "p95_ms": _percentile_ms(ordered, 95),
            "p99_ms": _percentile_ms(ordered, 99),
            "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
            "errors": sum(self.failures.values()),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=str)},
            "failures": dict(self.failures.most_common(5)),
            "steps_p95_ms": {
                name: _percentile_ms(sorted(values), 95) for name, values in self.steps.items()
            },
        }


def _percentile_ms(ordered: list[float], percent: float) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[index] * 1000, 2)


# --- requests -----------------------------------------------------------------------------


async def run_requests(spec: dict[str, Any]) -> dict[str, Any]:
    port, requests = spec["port"], spec["requests"]
    warm_until = time.perf_counter() + spec.get("warmup", 1.0)
    stop_at = warm_until + spec["seconds"]
    max_requests = spec.get("max_requests", 1_000_000)
    record = Record(started=warm_until)
    counter = iter(range(10**9))
    if spec.get("prime"):
        # Ask every distinct request once first, so a cached scenario measures answers
        # kept in the cache, not the first computation of each.
        await _prime(port, requests, spec["concurrency"])
        warm_until = time.perf_counter() + spec.get("warmup", 1.0)
        stop_at = warm_until + spec["seconds"]
        record.started = warm_until

    async def worker() -> None:
        client = Client(port)
        try:
            while time.perf_counter() < stop_at and len(record.latencies) < max_requests:
                number = next(counter)
                request = requests[number % len(requests)]
                path = request["path"]
                if spec.get("bust"):
                    # A parameter no request repeats: every answer is computed, none kept.
                    path += f"{'&' if '?' in path else '?'}_bust={number}"
                started = time.perf_counter()
                try:
                    answer = await client.send(
                        request.get("method", "GET"),
                        path,
                        headers=request.get("headers"),
                        body=request.get("body"),
                    )
                except Exception as exc:
                    await client.close()
                    if started >= warm_until:
                        record.failures[type(exc).__name__] += 1
                        record.latencies.append(time.perf_counter() - started)
                    continue
                if started < warm_until:
                    continue
                record.latencies.append(time.perf_counter() - started)
                record.statuses[answer.status] += 1
                if answer.status not in request.get("expect", (200,)):
                    record.failures[f"HTTP {answer.status}"] += 1
        finally:
            await client.close()

    await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
    record.ended = time.perf_counter()
    return record.summary()


async def _prime(port: int, requests: list[dict[str, Any]], concurrency: int) -> None:
    pending = list({json.dumps(r, sort_keys=True): r for r in requests}.values())

    async def worker() -> None:
        client = Client(port)
        try:
            while pending:
                request = pending.pop()
                await client.send(
                    request.get("method", "GET"), request["path"], headers=request.get("headers")
                )
        finally:
            await client.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


# --- checkout -----------------------------------------------------------------------------


def _cart_path(channel: str, token: str = "", suffix: str = "") -> str:
    base = f"/api/v1/carts/{token}/" if token else "/api/v1/carts/"
    return f"{base}{suffix}?channel={channel}"


async def _checkout_ready(
    client: Client, *, channel: str, sku: str, email: str, headers: dict[str, str], timed: dict
) -> str:
    """Cart, line and checkout details; returns the cart token."""

    async def step(name: str, method: str, path: str, body: Any, expect: int) -> Answer:
        started = time.perf_counter()
        answer = await client.send(method, path, headers=headers, body=body)
        timed[name] = time.perf_counter() - started
        if answer.status != expect:
            raise StepFailed(name, answer)
        return answer

    token = (await step("cart", "POST", _cart_path(channel), None, 201)).json()["token"]
    await step(
        "line", "POST", _cart_path(channel, token, "lines/"), {"sku": sku, "quantity": 1}, 201
    )
    await step(
        "details",
        "PATCH",
        _cart_path(channel, token, "checkout/"),
        {"email": email, "shipping_address": ADDRESS, "shipping_method": "standard"},
        200,
    )
    return token


class StepFailed(Exception):
    def __init__(self, step: str, answer: Answer) -> None:
        super().__init__(f"{step}: HTTP {answer.status}")
        self.step = step
        self.answer = answer


ADDRESS = {
    "name": "王小明",
    "phone": "13800000000",
    "country": "CN",
    "province": "北京市",
    "city": "北京市",
    "district": "西城区",
    "street": "前海西街17号",
    "postcode": "100009",
}


async def _buy_now(
    client: Client, *, channel: str, sku: str, email: str, timed: dict[str, float]
) -> None:
    """The storefront's buy now: the order placed in one request with its line, details
    and payment started (``POST /api/v1/orders/``), the payment confirmed at the fake
    provider."""
    started = time.perf_counter()
    order = await client.send(
        "POST",
        f"/api/v1/orders/?channel={channel}",
        headers={"Idempotency-Key": f"bench-{uuid.uuid4().hex}"},
        body={
            "lines": [{"sku": sku, "quantity": 1}],
            "email": email,
            "shipping_address": ADDRESS,
            "shipping_method": "standard",
            "payment_provider": "fake",
        },
    )
    timed["order"] = time.perf_counter() - started
    if order.status != 201 or order.json()["payment"] is None:
        raise StepFailed("order", order)
    payment = order.json()["payment"]
    started = time.perf_counter()
    confirmed = await client.send(
        "POST",
        f"/api/v1/payments/{payment['id']}/fake/confirm/",
        headers={},
        body={"outcome": "succeed", "email": email},
    )
    timed["confirm"] = time.perf_counter() - started
    if confirmed.status != 200 or confirmed.json()["order_status"] != "paid":
        raise StepFailed("confirm", confirmed)


async def _cart_then_order(
    client: Client, *, channel: str, sku: str, email: str, timed: dict[str, float]
) -> None:
    """A cart created with its line and details, the order placed with its payment
    started, the payment confirmed at the fake provider."""

    async def step(name: str, path: str, body: Any, expect: int, **headers: str) -> Answer:
        started = time.perf_counter()
        answer = await client.send("POST", path, headers=headers, body=body)
        timed[name] = time.perf_counter() - started
        if answer.status != expect:
            raise StepFailed(name, answer)
        return answer

    cart = await step(
        "cart",
        _cart_path(channel),
        {
            "lines": [{"sku": sku, "quantity": 1}],
            "email": email,
            "shipping_address": ADDRESS,
            "shipping_method": "standard",
        },
        201,
    )
    token = cart.json()["token"]
    order = await step(
        "order",
        _cart_path(channel, token, "order/"),
        {"payment_provider": "fake"},
        201,
        **{"Idempotency-Key": f"bench-{token}"},
    )
    payment = order.json()["payment"]
    if payment is None:
        raise StepFailed("order", order)
    confirmed = await step(
        "confirm",
        f"/api/v1/payments/{payment['id']}/fake/confirm/",
        {"outcome": "succeed", "email": email},
        200,
    )
    if confirmed.json()["order_status"] != "paid":
        raise StepFailed("confirm", confirmed)


async def _step_by_step(
    client: Client, *, channel: str, sku: str, email: str, timed: dict[str, float]
) -> None:
    """Cart, line, checkout details, order (with an Idempotency-Key), payment start with
    the fake provider, fake confirmation: a request each."""
    token = await _checkout_ready(
        client, channel=channel, sku=sku, email=email, headers={}, timed=timed
    )
    t = time.perf_counter()
    order = await client.send(
        "POST",
        _cart_path(channel, token, "order/"),
        headers={"Idempotency-Key": f"bench-{token}"},
    )
    timed["order"] = time.perf_counter() - t
    if order.status != 201:
        raise StepFailed("order", order)
    number_ = order.json()["number"]
    t = time.perf_counter()
    payment = await client.send(
        "POST",
        f"/api/v1/orders/{number_}/payments/",
        body={"provider": "fake", "email": email},
    )
    timed["pay"] = time.perf_counter() - t
    if payment.status != 201:
        raise StepFailed("pay", payment)
    t = time.perf_counter()
    confirmed = await client.send(
        "POST",
        f"/api/v1/payments/{payment.json()['id']}/fake/confirm/",
        body={"outcome": "succeed", "email": email},
    )
    timed["confirm"] = time.perf_counter() - t
    if confirmed.status != 200 or confirmed.json()["order_status"] != "paid":
        raise StepFailed("confirm", confirmed)


FLOWS = {
    "buy-now": (_buy_now, ("order", "confirm")),
    "cart-then-order": (_cart_then_order, ("cart", "order", "confirm")),
    "step-by-step": (_step_by_step, ("cart", "line", "details", "order", "pay", "confirm")),
}


async def run_checkout(spec: dict[str, Any]) -> dict[str, Any]:
    port, channel, skus = spec["port"], spec["channel"], spec["skus"]
    flow, step_names = FLOWS[spec.get("flow", "buy-now")]
    record = Record(steps={name: [] for name in step_names})
    warm_until = time.perf_counter() + spec.get("warmup", 2.0)
    stop_at = warm_until + spec["seconds"]
    max_orders = spec.get("max_orders", 100_000)
    counter = iter(range(10**9))
    record.started = warm_until

    async def shopper(number: int) -> None:
        client = Client(port)
        try:
            while time.perf_counter() < stop_at and len(record.latencies) < max_orders:
                n = next(counter)
                email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
                timed: dict[str, float] = {}
                started = time.perf_counter()
                try:
                    await flow(
                        client, channel=channel, sku=skus[n % len(skus)], email=email, timed=timed
                    )
                except StepFailed as exc:
                    if started >= warm_until:
                        record.failures[f"{exc.step} HTTP {exc.answer.status}"] += 1
                        record.statuses[exc.answer.status] += 1
                    continue
                except Exception as exc:
                    await client.close()
                    if started >= warm_until:
                        record.failures[type(exc).__name__] += 1
                    continue
                if started < warm_until:
                    continue
                record.latencies.append(time.perf_counter() - started)
                record.statuses["paid"] += 1
                for name, seconds in timed.items():
                    record.steps[name].append(seconds)
        finally:
            await client.close()

    await asyncio.gather(*(shopper(n) for n in range(spec["concurrency"])))
    record.ended = time.perf_counter()
    return record.summary()


# --- drop ---------------------------------------------------------------------------------


async def run_drop(spec: dict[str, Any]) -> dict[str, Any]:
    port, channel, sku, shoppers = spec["port"], spec["channel"], spec["sku"], spec["shoppers"]
    headers = {"X-Channel-Key": spec["channel_key"]}
    clients = [Client(port) for _ in range(shoppers)]
    tokens: list[str | None] = [None] * shoppers
    prepare = Record()
    prepare.started = time.perf_counter()
    semaphore = asyncio.Semaphore(spec.get("prepare_concurrency", 32))

    async def ready(number: int) -> None:
        async with semaphore:
            started = time.perf_counter()
            try:
                tokens[number] = await _checkout_ready(
                    clients[number],
                    channel=channel,
                    sku=sku,
                    email=f"fan-{number}-{uuid.uuid4().hex[:8]}@example.com",
                    headers=headers,
                    timed={},
                )
                prepare.latencies.append(time.perf_counter() - started)
                prepare.statuses["ready"] += 1
            except StepFailed as exc:
                prepare.failures[f"{exc.step} HTTP {exc.answer.status}"] += 1
            except Exception as exc:
                prepare.failures[type(exc).__name__] += 1

    await asyncio.gather(*(ready(n) for n in range(shoppers)))
    prepare.ended = time.perf_counter()
    # Every shopper's connection is open and idle; now they all press "buy" at once.
    for client in clients:
        if client.writer is None:
            await client.open()
    burst = Record()
    go = asyncio.Event()

    async def buy(number: int) -> None:
        token = tokens[number]
        if token is None:
            return
        await go.wait()
        started = time.perf_counter()
        try:
            answer = await clients[number].send(
                "POST",
                _cart_path(channel, token, "order/"),
                headers={**headers, "Idempotency-Key": f"drop-{token}"},
            )
        except Exception as exc:
            burst.failures[type(exc).__name__] += 1
            burst.latencies.append(time.perf_counter() - started)
            return
        burst.latencies.append(time.perf_counter() - started)
        burst.statuses[answer.status] += 1
        code = answer.json().get("code", "") if answer.status != 201 else "ordered"
        burst.statuses[code] += 1
        if answer.status >= 500 or answer.status not in (201, 409):
            burst.failures[f"HTTP {answer.status} {code}"] += 1

    tasks = [asyncio.create_task(buy(n)) for n in range(shoppers)]
    await asyncio.sleep(0.2)
    burst.started = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    burst.ended = time.perf_counter()
    await asyncio.gather(*(client.close() for client in clients))
    return {"prepare": prepare.summary(), "burst": burst.summary()}


KINDS = {"requests": run_requests, "checkout": run_checkout, "drop": run_drop}


def main() -> None:
    spec = json.loads(sys.stdin.read())
    result = asyncio.run(KINDS[spec["kind"]](spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

"""``drop``: carts readied for many shoppers, then every one placing the order at the
same instant, each on its own open connection."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from bench.loadgen.checkout import StepFailed, cart_path, checkout_ready
from bench.loadgen.client import Client, Record


async def _carts_ready(spec: dict[str, Any], clients: list[Client]) -> tuple[list, Record]:
    """Every shopper's cart readied (cart, line, details), a few at a time; the tokens
    (None where it failed) and the record of it."""
    channel, sku = spec["channel"], spec["sku"]
    headers = {"X-Channel-Key": spec["channel_key"]}
    tokens: list[str | None] = [None] * len(clients)
    prepare = Record()
    prepare.started = time.perf_counter()
    semaphore = asyncio.Semaphore(spec.get("prepare_concurrency", 32))

    async def ready(number: int) -> None:
        async with semaphore:
            started = time.perf_counter()
            try:
                tokens[number] = await checkout_ready(
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

    await asyncio.gather(*(ready(n) for n in range(len(clients))))
    prepare.ended = time.perf_counter()
    return tokens, prepare


async def _orders_at_once(
    spec: dict[str, Any], clients: list[Client], tokens: list[str | None]
) -> Record:
    """Every readied shopper places the order at the same instant; the record of it."""
    channel = spec["channel"]
    headers = {"X-Channel-Key": spec["channel_key"]}
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
                cart_path(channel, token, "order/"),
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

    tasks = [asyncio.create_task(buy(n)) for n in range(len(clients))]
    await asyncio.sleep(0.2)
    burst.started = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    burst.ended = time.perf_counter()
    return burst


async def run_drop(spec: dict[str, Any]) -> dict[str, Any]:
    clients = [Client(spec["port"]) for _ in range(spec["shoppers"])]
    tokens, prepare = await _carts_ready(spec, clients)
    # Every shopper's connection is open and idle; now they all press "buy" at once.
    for client in clients:
        if client.writer is None:
            await client.open()
    burst = await _orders_at_once(spec, clients, tokens)
    await asyncio.gather(*(client.close() for client in clients))
    return {"prepare": prepare.summary(), "burst": burst.summary()}

"""``requests``: connections sending the given requests back to back."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from bench.loadgen.client import Client, Record


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

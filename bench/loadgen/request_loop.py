"""``requests``: connections sending the given requests back to back.

A request with ``scroll_from_page`` is a shopper scrolling by cursor (see scroll.py): each
connection asks the page after the one it was given before, by its ``next_cursor``.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from bench.loadgen.client import Answer, Client, Record
from bench.loadgen.scroll import Scroll, scroll_prime, scroll_start, scrolls


async def run_requests(spec: dict[str, Any]) -> dict[str, Any]:
    port, requests = spec["port"], spec["requests"]
    # Where each scroll starts, asked once before the clock starts (not measured).
    starts = await _scroll_starts(port, requests)
    if spec.get("prime"):
        # Ask every distinct request once first, so a cached scenario measures answers
        # kept in the cache, not the first computation of each.
        await _prime(port, requests, spec["concurrency"], starts)
    warm_until = time.perf_counter() + spec.get("warmup", 1.0)
    stop_at = warm_until + spec["seconds"]
    max_requests = spec.get("max_requests", 1_000_000)
    record = Record(started=warm_until)
    counter = iter(range(10**9))

    async def worker() -> None:
        client = Client(port)
        scrolling = {index: Scroll(requests[index], start) for index, start in starts.items()}
        try:
            while time.perf_counter() < stop_at and len(record.latencies) < max_requests:
                number = next(counter)
                index = number % len(requests)
                request = requests[index]
                scroll = scrolling.get(index)
                path = scroll.path() if scroll else request["path"]
                if spec.get("bust"):
                    # A parameter no request repeats: every answer is computed, none kept.
                    path += f"{'&' if '?' in path else '?'}_bust={number}"
                started = time.perf_counter()
                answer: Answer | None = None
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
                finally:
                    if scroll:
                        scroll.answered(answer)
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


async def _scroll_starts(port: int, requests: list[dict[str, Any]]) -> dict[int, str]:
    client = Client(port)
    try:
        return {
            index: await scroll_start(client, request)
            for index, request in enumerate(requests)
            if scrolls(request)
        }
    finally:
        await client.close()


async def _prime(
    port: int, requests: list[dict[str, Any]], concurrency: int, starts: dict[int, str]
) -> None:
    pending = list({json.dumps(r, sort_keys=True): r for r in requests if not scrolls(r)}.values())

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

    async def scroller(index: int) -> None:
        client = Client(port)
        try:
            await scroll_prime(client, requests[index], starts[index])
        finally:
            await client.close()

    await asyncio.gather(
        *(worker() for _ in range(concurrency)), *(scroller(index) for index in starts)
    )

"""A small asyncio HTTP/1.1 client with keep-alive, for 127.0.0.1 only, and the record
of what its requests answered and how long they took."""

from __future__ import annotations

import asyncio
import contextlib
import json
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
            "p50_ms": percentile_ms(ordered, 50),
            "p95_ms": percentile_ms(ordered, 95),
            "p99_ms": percentile_ms(ordered, 99),
            "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
            "errors": sum(self.failures.values()),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=str)},
            "failures": dict(self.failures.most_common(5)),
            "steps_p95_ms": {
                name: percentile_ms(sorted(values), 95) for name, values in self.steps.items()
            },
        }


def percentile_ms(ordered: list[float], percent: float) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[index] * 1000, 2)

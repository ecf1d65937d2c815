"""The load generator's shopper scrolling by cursor (bench/loadgen/scroll.py), against a
small list served on 127.0.0.1 by the test itself: which pages it asks, in which order.

The phases are bounded by a count of requests here, never by time."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.loadgen.client import Answer
from bench.loadgen.request_loop import run_requests
from bench.loadgen.scroll import Scroll

LAST_PAGE = 5


class ListServer:
    """A list of five pages: page n (``?page=n`` or ``?cursor=c<n>``) gives
    ``next_cursor`` ``c<n+1>``, the last page none; every path asked is noted."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def page_of(self, path: str) -> int | None:
        query = parse_qs(urlsplit(path).query)
        if "page" in query:
            return int(query["page"][0])
        cursor = query.get("cursor", [""])[0]
        return int(cursor[1:]) if cursor.startswith("c") else None

    async def answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while request_line := await reader.readline():
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            path = request_line.split()[1].decode()
            self.asked.append(path)
            page = self.page_of(path)
            later = f"c{page + 1}" if page is not None and page < LAST_PAGE else None
            status = "200 OK" if page is not None else "400 Bad Request"
            body = json.dumps({"results": [], "next_cursor": later}).encode()
            head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
        writer.close()


def scroll_run(**spec_options) -> tuple[dict, list[str]]:
    server = ListServer()

    async def run() -> dict:
        listening = await asyncio.start_server(server.answer, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        spec = {
            "port": port,
            "concurrency": 1,
            "seconds": 600,
            "warmup": 0,
            "max_requests": 6,
            "requests": [{"path": "/products/?channel=web", "scroll_from_page": 2}],
            **spec_options,
        }
        try:
            return await run_requests(spec)
        finally:
            listening.close()
            await listening.wait_closed()

    return asyncio.run(run()), server.asked


def cursors(paths: list[str]) -> list[str]:
    return [parse_qs(urlsplit(path).query).get("cursor", ["-"])[0] for path in paths]


def test_a_shopper_scrolls_from_the_page_given_by_each_next_cursor_and_round_again():
    result, asked = scroll_run()

    assert asked[0] == "/products/?channel=web&page=2"  # where the scroll starts, unmeasured
    assert asked[1:] == [f"/products/?channel=web&cursor=c{n}" for n in (3, 4, 5, 3, 4, 5)]
    assert result["count"] == 6
    assert result["statuses"] == {"200": 6}
    assert result["errors"] == 0


def test_an_uncached_scroll_still_follows_the_cursor_with_a_parameter_no_request_repeats():
    _result, asked = scroll_run(bust=True)

    assert cursors(asked[1:]) == ["c3", "c4", "c5", "c3", "c4", "c5"]
    busts = [parse_qs(urlsplit(path).query)["_bust"][0] for path in asked[1:]]
    assert len(set(busts)) == 6


def test_a_cached_scroll_asks_each_page_to_the_end_once_before_it_is_measured():
    result, asked = scroll_run(prime=True, max_requests=2)

    assert cursors(asked) == ["-", "c3", "c4", "c5", "c3", "c4"]
    assert result["count"] == 2


def test_a_page_without_a_next_cursor_to_start_from_stops_the_scenario():
    with pytest.raises(RuntimeError, match="without a next_cursor"):
        scroll_run(requests=[{"path": "/products/?channel=web", "scroll_from_page": LAST_PAGE}])


def test_requests_without_a_scroll_ask_their_own_paths():
    _result, asked = scroll_run(requests=[{"path": "/products/?page=1"}], max_requests=3)

    assert asked == ["/products/?page=1"] * 3


@pytest.mark.parametrize("body", [b"<html>busy</html>", b"[1, 2]", b"\xff\xfe"])
def test_a_page_that_is_not_a_json_object_sends_the_shopper_back_to_the_start(body):
    scroll = Scroll({"path": "/api/v1/products/?ordering=slug"}, start="c2")
    scroll.answered(Answer(200, {}, b'{"next_cursor": "c3"}'))
    assert scroll.cursor == "c3"

    scroll.answered(Answer(200, {}, body))

    assert scroll.cursor == "c2"

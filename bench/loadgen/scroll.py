"""A shopper scrolling the product list by cursor, as an endless-scroll storefront does.

A request of a ``requests`` spec with ``scroll_from_page`` is not one address asked again
and again: ``path`` is the list (without ``page`` or ``cursor``), the page
``scroll_from_page`` of it is asked once before the measurement (not measured), and from
its ``next_cursor`` on every request asks the page after the one before it, by the
``next_cursor`` that page gave, the way a shopper scrolling down is given the next
page. At the list's end (no ``next_cursor``, or any answer but a 200) the shopper starts
again from the first cursor. Each connection scrolls on its own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bench.loadgen.client import Answer, Client

# A cached run asks each page of the scroll once first; a list is never scrolled further.
PRIME_PAGES_MAX = 10_000


def scrolls(request: dict[str, Any]) -> bool:
    return "scroll_from_page" in request


def _joined(path: str, parameter: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{parameter}"


def _next_cursor(answer: Answer) -> str | None:
    if answer.status != 200:
        return None
    try:
        cursor = answer.json().get("next_cursor")
    except (ValueError, AttributeError):  # not a JSON object: counted by its status, start again
        return None
    return cursor if isinstance(cursor, str) and cursor else None


async def scroll_start(client: Client, request: dict[str, Any]) -> str:
    """The cursor the scroll starts from: the ``next_cursor`` of page ``scroll_from_page``."""
    path = _joined(request["path"], f"page={int(request['scroll_from_page'])}")
    answer = await client.send("GET", path, headers=request.get("headers"))
    cursor = _next_cursor(answer)
    if cursor is None:
        raise RuntimeError(f"{path} answered {answer.status} without a next_cursor to scroll")
    return cursor


class Scroll:
    """Where one connection's shopper is in a list: the cursor of the next page to ask."""

    def __init__(self, request: dict[str, Any], start: str) -> None:
        self.request = request
        self.start = start
        self.cursor = start

    def path(self) -> str:
        return _joined(self.request["path"], f"cursor={quote(self.cursor)}")

    def answered(self, answer: Answer | None) -> None:
        """Scroll on by the page's ``next_cursor``; from the start again at the end (or
        after a failure)."""
        self.cursor = (_next_cursor(answer) if answer is not None else None) or self.start


async def scroll_prime(client: Client, request: dict[str, Any], start: str) -> int:
    """Ask every page of the scroll once, from ``start`` to the list's end (a cached run
    then measures kept answers); returns how many pages were asked."""
    scroll, pages = Scroll(request, start), 0
    while pages < PRIME_PAGES_MAX:
        answer = await client.send("GET", scroll.path(), headers=request.get("headers"))
        pages += 1
        scroll.answered(answer)
        if scroll.cursor == start:
            break
    return pages

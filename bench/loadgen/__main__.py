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
import json
import sys

from bench.loadgen.checkout import run_checkout
from bench.loadgen.drop import run_drop
from bench.loadgen.request_loop import run_requests

KINDS = {"requests": run_requests, "checkout": run_checkout, "drop": run_drop}


def main() -> None:
    spec = json.loads(sys.stdin.read())
    result = asyncio.run(KINDS[spec["kind"]](spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

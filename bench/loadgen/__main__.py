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
  places the order at the same instant, each on its own open connection;
- ``arrivals``: shoppers arriving at a fixed ``rate`` for ``seconds``, each checking out
  once by a flow and paying (the livestream drop as shoppers live it, the sustained
  scenario); see arrivals.py.

``provider`` "stripe" (with ``provider_port``): shoppers pay at the local fake of
Stripe's API (bench/provider.py) as Stripe.js does, and the provider's webhook tells the
shop; "fake": at the shop's own fake provider.
"""

from __future__ import annotations

import asyncio
import json
import sys

from bench.loadgen.arrivals import run_arrivals
from bench.loadgen.checkout import run_checkout
from bench.loadgen.drop import run_drop
from bench.loadgen.request_loop import run_requests

KINDS = {
    "requests": run_requests,
    "checkout": run_checkout,
    "drop": run_drop,
    "arrivals": run_arrivals,
}


def main() -> None:
    spec = json.loads(sys.stdin.read())
    result = asyncio.run(KINDS[spec["kind"]](spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

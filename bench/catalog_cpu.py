"""CPU per uncached catalog read in one process: the figure to trust on a shared machine.

``python bench/catalog_cpu.py [products] [requests] [--profile FILE] [--only NAME,...] [--misses]``
seeds its own catalog (the benchmark's world and ``products`` products, 10,000 by
default; database ``$BENCH_DATABASE_catalog_<products>``), then asks the catalog
scenarios of ``make bench`` through Django's whole request stack (the test client:
middleware, DRF, serializers, the ORM on PostgreSQL) with the catalog cache off
(``CATALOG_CACHE_SECONDS=0``): the list's first page, a page 80% of the way down by
number and by cursor (the ``next_cursor`` of the page before it: the first page of the
scroll ``make bench`` follows), the filtered list and product pages, 5 of each to warm
up, then ``requests`` (100) of each measured. With ``--misses`` the cache is on
(``CATALOG_CACHE_SECONDS=10``) and every request carries a parameter no other request
has, as ``make bench``'s uncached runs ask: each answer is computed and stored, and the
channel is kept in the process as it is wherever answers are kept. It prints, per
scenario, the process's CPU time and the wall time per request and the statements of
one request. ``BENCH_CPU_KEEP=1`` keeps the database for
the next run, which then reuses it; under ``valgrind --tool=callgrind
--instr-atstart=no`` with ``BENCH_CPU_CALLGRIND=1`` it counts the measured requests'
instructions (one scenario at a time: ``--only``). ``--profile FILE`` writes cProfile's
statistics of the measured requests to FILE.<scenario>.
"""

from __future__ import annotations

import cProfile
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inprocess, run, scenarios  # noqa: E402

# The catalog scenarios of ``make bench`` measured here (search has bench/search_cpu.py);
# the deep page by cursor is the first page of its scroll.
SCENARIOS = (
    "list first page",
    scenarios.DEEP_BY_NUMBER,
    scenarios.DEEP_BY_CURSOR,
    "list filtered",
    "product detail",
)


def _paths(client: Any, size: int) -> dict[str, list[str]]:
    paths = scenarios.catalog_paths(size)
    paths[scenarios.DEEP_BY_CURSOR] = _cursor_path(client, size)
    return {name: paths[name] for name in SCENARIOS}


def _cursor_path(client: Any, size: int) -> list[str]:
    """The deep page's products asked by cursor: the one the page before it gives."""
    page = max(scenarios.deep_page(size) - 1, 1)  # a list of one page scrolls from its first
    base = scenarios.LIST_PATH
    before = client.get(f"{base}&page={page}", headers={"Accept-Language": "en"})
    return [f"{base}&cursor={before.json()['next_cursor']}"]


# ``--misses``: a parameter no request repeats on every request (as make bench's uncached
# runs ask), with the cache on.
_busting = {"on": False, "number": 0}


def _ask(client: Any, path: str) -> None:
    if _busting["on"]:
        _busting["number"] += 1
        # With the process's id: runs side by side on one Redis never meet each other's.
        path += f"&_bust={os.getpid()}-{_busting['number']}"
    answer = client.get(path, headers={"Accept-Language": "en"})
    assert answer.status_code == 200, answer.content[:300]


def _measure(client: Any, name: str, paths: list[str], requests: int, profile: str | None) -> None:
    from django.db import connection

    for n in range(5):
        _ask(client, paths[n % len(paths)])
    statements: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)
    ):
        _ask(client, paths[0])
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    inprocess.callgrind("on")
    for n in range(requests):
        _ask(client, paths[n % len(paths)])
    inprocess.callgrind("off")
    if profiler:
        profiler.disable()
        profiler.dump_stats(f"{profile}.{name.replace(' ', '_')}")
    cpu_ms = (time.process_time() - cpu) * 1000 / requests
    wall_ms = (time.perf_counter() - started) * 1000 / requests
    print(
        f"{name:16} CPU {cpu_ms:6.2f} ms (wall {wall_ms:6.2f} ms), {len(statements)} statements, "
        f"{requests} requests, load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    if os.environ.get("BENCH_CPU_STATEMENTS"):
        for sql in statements:
            print(f"    {sql[:400]}")


def _channels_kept_through_the_run() -> None:
    """A server reads a kept channel again every few seconds (KEEP_SECONDS): once in
    hundreds of requests. Under callgrind a request takes seconds, so that clock is
    stopped for the run, or the channel would be read again on most requests."""
    from shop.channels import selectors

    selectors._clock = lambda: 0.0


def _options(args: list[str]) -> tuple[list[str], str | None, tuple[str, ...]]:
    profile, only = inprocess.profile_option(args), ()
    if "--misses" in args:
        args.remove("--misses")
        _busting["on"] = True
    if "--only" in args:
        at = args.index("--only")
        only = tuple(name.strip() for name in args[at + 1].split(","))
        del args[at : at + 2]
    return args, profile, only


def main() -> int:
    args, profile, only = _options(sys.argv[1:])
    size = int(args[0]) if args else 10_000
    requests = int(args[1]) if len(args) > 1 else 100
    name = f"{run.DB_NAME}_catalog_{size}"
    seconds = "10" if _busting["on"] else "0"
    env, redis_url = inprocess.environment(name, 1, CATALOG_CACHE_SECONDS=seconds)
    reuse = inprocess.database_open(name, redis_url, env)
    try:
        import django

        django.setup()
        from django.test import Client

        if not reuse:
            inprocess.catalog_seed(size)
        if _busting["on"]:
            _channels_kept_through_the_run()
        client = Client()
        for scenario, paths in _paths(client, size).items():
            if not only or scenario in only:
                _measure(client, scenario, paths, requests, profile)
    finally:
        inprocess.database_close(name, redis_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

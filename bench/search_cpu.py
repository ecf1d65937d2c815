"""CPU per search and autocomplete request in one process (issue 21).

``python bench/search_cpu.py [products] [requests] [--profile FILE]`` seeds its own
catalog (the benchmark's world and ``products`` products, 10,000 unless told, database
``$BENCH_DATABASE_searchcpu``), then asks each path of the search and autocomplete
scenarios (``bench/search.py``) through Django's whole request stack (the test client:
middleware, DRF, serializers, the ORM on PostgreSQL), uncached
as ``make bench`` asks them (answers kept in Redis, but each request with a parameter no
other repeats), ``requests`` times each (10) after two to warm up. It prints,
per scenario, the CPU time of this process per request and that of the PostgreSQL backend
serving it (read from ``/proc``, PostgreSQL running on this machine): their sum is what
one request costs the machine, which hardly moves when other work shares the cores. Also
the statements of one request of each scenario.

``BENCH_CPU_KEEP=1`` keeps the database for the next run, which then reuses it; under
callgrind (``valgrind --tool=callgrind --instr-atstart=no``, ``BENCH_CPU_CALLGRIND=1``)
it counts the measured requests' instructions of this process (``BENCH_SEARCH_ONLY=search``
or ``autocomplete`` measures one scenario only). ``--profile FILE`` writes
cProfile's statistics of the measured requests to FILE.
"""

from __future__ import annotations

import cProfile
import itertools
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inprocess, run  # noqa: E402
from bench.search import search_mixes  # noqa: E402

WARM_UP = 2
_busts = itertools.count()


def _get(client: Any, path: str) -> Any:
    """An uncached answer, as the benchmark's request loop asks for one (``bust``)."""
    return client.get(f"{path}&_bust={os.getpid()}-{next(_busts)}")


def _backend_cpu_seconds(pid: int) -> float:
    """User and system CPU time of the PostgreSQL backend ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _statements(client: Any, path: str) -> list[str]:
    from django.db import connection

    statements: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)
    ):
        assert _get(client, path).status_code == 200
    return statements


def _measure(client: Any, paths: list[str], requests: int, pid: int) -> dict[str, float]:
    for path in paths:
        for _ in range(WARM_UP):
            assert _get(client, path).status_code == 200
    started, cpu, backend = time.perf_counter(), time.process_time(), _backend_cpu_seconds(pid)
    inprocess.callgrind("on")
    for _ in range(requests):
        for path in paths:
            _get(client, path)
    inprocess.callgrind("off")
    count = requests * len(paths)
    return {
        "cpu": (time.process_time() - cpu) * 1000 / count,
        "backend": (_backend_cpu_seconds(pid) - backend) * 1000 / count,
        "wall": (time.perf_counter() - started) * 1000 / count,
    }


def _report(client: Any, requests: int, profile: str | None) -> None:
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    profiler = cProfile.Profile(time.process_time) if profile else None
    only = os.environ.get("BENCH_SEARCH_ONLY")
    for scenario, paths in search_mixes().items():
        if only and scenario != only:
            continue
        if profiler:
            profiler.enable()
        figures = _measure(client, paths, requests, pid)
        if profiler:
            profiler.disable()
        statements = _statements(client, paths[0])
        print(
            f"{scenario}: CPU per request {figures['cpu']:.2f} ms here + "
            f"{figures['backend']:.2f} ms PostgreSQL (wall {figures['wall']:.1f} ms), "
            f"{len(statements)} statements, {requests} x {len(paths)} requests, "
            f"load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    if profiler and profile:
        profiler.dump_stats(profile)


def main() -> int:
    args = sys.argv[1:]
    profile = inprocess.profile_option(args)
    products = int(args[0]) if args else 10000
    requests = int(args[1]) if len(args) > 1 else 10
    name = f"{run.DB_NAME}_searchcpu"
    env, redis_url = inprocess.environment(name, 1)
    reuse = inprocess.database_open(name, redis_url, env)
    try:
        import django

        django.setup()
        from django.test import Client

        if not reuse:
            inprocess.catalog_seed(products)
        _report(Client(), requests, profile)
    finally:
        inprocess.database_close(name, redis_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

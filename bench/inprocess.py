"""What the measurements in one process share (``bench/cpu.py``, ``catalog_cpu.py``,
``search_cpu.py``, ``worker_cpu.py``, ``worker_drain.py``): a database and a Redis
database of their own beside a running benchmark's, the shop seeded once and kept for
the next run with ``BENCH_CPU_KEEP=1``, callgrind's window and the ``--profile`` option.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time

from bench import run, scenarios, seed


def keep() -> bool:
    """Whether the database is kept for the next run (``BENCH_CPU_KEEP=1``)."""
    return bool(os.environ.get("BENCH_CPU_KEEP"))


def callgrind(state: str) -> None:
    """Under ``valgrind --tool=callgrind --instr-atstart=no`` with BENCH_CPU_CALLGRIND=1:
    instructions are counted between ``"on"`` and ``"off"`` only (an exact A/B figure)."""
    if os.environ.get("BENCH_CPU_CALLGRIND"):
        subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=False)  # noqa: S603, S607


def exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{run.PG}/postgres") as admin:
        return bool(
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        )


def profile_option(args: list[str]) -> str | None:
    """The FILE of ``--profile FILE`` in ``args``, taken out of them (None without it)."""
    if "--profile" not in args:
        return None
    at = args.index("--profile")
    profile = args[at + 1]
    del args[at : at + 2]
    return profile


def environment(name: str, redis_offset: int, **settings: str) -> tuple[dict[str, str], str]:
    """The production settings on database ``name`` and Redis database ``BENCH_REDIS_DB``
    + ``redis_offset`` (cache, throttles and broker), with ``settings`` on top, put in
    this process's environment; returns them and the Redis URL."""
    env = run.server_env(0, 0)
    env["DATABASE_URL"] = f"{run.PG}/{name}"
    env["DJANGO_ALLOWED_HOSTS"] += ",testserver"
    redis_url = env["REDIS_URL"].rsplit("/", 1)[0] + f"/{run.REDIS_DB + redis_offset}"
    env["REDIS_URL"] = env["CELERY_BROKER_URL"] = redis_url
    env.update(settings)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    return env, redis_url


def database_open(name: str, redis_url: str, env: dict[str, str]) -> bool:
    """Creates and migrates database ``name``, unless one is kept: True when it is."""
    reused = keep() and exists(name)
    if not reused:
        scenarios.database_prepare(run.PG, name, redis_url, env)
    return reused


def database_close(name: str, redis_url: str) -> None:
    """Drops database ``name`` and flushes its Redis database, unless they are kept."""
    scenarios.cleanup(run.PG, name, redis_url, keep=keep())


def catalog_seed(products: int) -> None:
    """The benchmark's world and ``products`` products (after ``django.setup()``)."""
    started = time.monotonic()
    world = seed.world_create(dt.datetime.now(dt.UTC))
    seed.catalog_grow(world, to=products, now=dt.datetime.now(dt.UTC))
    print(f"seeded {products} products in {time.monotonic() - started:.1f} s", flush=True)

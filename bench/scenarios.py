"""What the benchmark measures, in which order, and how it is reported.

Order of a run: the ceiling (``/health/live/``); the catalog sweep at each size (every
request a cache miss); at the main size the catalog scenarios with the Redis cache,
the checkout and the livestream drop; the catalog's largest size; then the sales sweep
with the partner report and statements; the ceiling again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import psycopg
import redis

from bench import seed
from bench.plans import Plan
from bench.report import row_line, targets
from bench.search import search_mixes
from bench.stack import Stack, load


def database_prepare(pg: str, name: str, redis_db: int, env: dict[str, str]) -> None:
    import subprocess
    import sys

    from bench.stack import ROOT

    redis.Redis(db=redis_db).flushdb()
    started = time.monotonic()
    seed.database_reset(f"{pg}/postgres", name)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(f"database {name} created and migrated in {time.monotonic() - started:.1f} s")


def cleanup(pg: str, name: str, redis_db: int, *, keep: bool) -> None:
    from django.db import connections

    connections.close_all()
    try:
        redis.Redis(db=redis_db).flushdb()
    except redis.RedisError as exc:
        print(f"could not flush Redis db {redis_db}: {exc}")
    if not keep:
        try:
            seed.database_drop(f"{pg}/postgres", name)
        except psycopg.Error as exc:
            print(f"could not drop database {name}: {exc}")


TASK_QUEUES = ("default", "fulfillment", "notifications", "reports")


def tasks_waiting(client: redis.Redis) -> int:
    """Tasks in the worker's queues, not yet taken."""
    return sum(int(client.llen(queue)) for queue in TASK_QUEUES)


def _ratio(rps: float, ceiling_rps: float) -> float | None:
    """A throughput as a share of the ceiling; None when no ceiling could be measured
    (a server too saturated to answer the ceiling's requests in its phase)."""
    return round(rps / ceiling_rps, 3) if ceiling_rps else None


def _row(name: str, size: str, result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"scenario": name, "size": size, **result, **extra}


class Bench:
    def __init__(
        self, *, plan: Plan, port: int, stack: Stack, run: dict[str, Any], redis_db: int
    ) -> None:
        self.plan = plan
        self.redis_db = redis_db
        self.port = port
        self.stack = stack
        self.run = run
        self.now = dt.datetime.now(dt.UTC)
        self.world = seed.World()
        self.ceiling_rps = 0.0

    # --- seeding ------------------------------------------------------------------------

    def _timed_seed(self, name: str, work: Any) -> Any:
        started = time.monotonic()
        result = work()
        seconds = round(time.monotonic() - started, 1)
        self.run["seed"][name] = seconds
        print(f"  seeded {name} in {seconds} s", flush=True)
        return result

    def seed_world(self) -> None:
        self._timed_seed("world", lambda: setattr(self, "world", seed.world_create(self.now)))

    def _catalog_to(self, size: int) -> None:
        from catalog.cache import catalog_changed

        if self.world.products >= size:
            return

        self._timed_seed(
            f"catalog {size} products",
            lambda: seed.catalog_grow(self.world, to=size, now=self.now),
        )
        catalog_changed()  # rows written behind the ORM's back

    def _sales_to(self, lines: int) -> None:
        self._timed_seed(
            f"sales {lines} lines",
            lambda: seed.sales_grow(self.world, to_lines=lines, now=self.now),
        )

    # --- measuring ----------------------------------------------------------------------

    def _requests(
        self, name: str, size: str, requests: list[dict[str, Any]], **options: Any
    ) -> dict[str, Any]:
        spec = {
            "kind": "requests",
            "port": self.port,
            "concurrency": options.pop("concurrency", self.plan.concurrency),
            "seconds": options.pop("seconds", self.plan.seconds),
            "warmup": options.pop("warmup", 1.0),
            "requests": requests,
            **options,
        }
        paired = self.ceiling_rps and not name.startswith("ceiling")
        if paired:
            # Measured right before, so a busy neighbour on the machine weighs on both.
            ceiling = load(
                {
                    **spec,
                    "seconds": 2.0,
                    "warmup": 0.5,
                    "max_requests": 10**6,
                    "requests": [{"path": "/health/live/"}],
                },
                timeout=60,
            )
        result = load(spec, timeout=spec["seconds"] + 120)
        row = _row(name, size, result)
        if paired:
            row["ceiling_rps"] = ceiling["rps"]
            row["ceiling_ratio"] = _ratio(result["rps"], ceiling["rps"])
        self.run["results"].append(row)
        print(row_line(row), flush=True)
        return row

    def ceiling(self, label: str) -> None:
        row = self._requests(label, "-", [{"path": "/health/live/"}])
        if label == "ceiling":
            self.ceiling_rps = row["rps"]

    def catalog_requests(self, size: int) -> dict[str, list[dict[str, Any]]]:
        """The request mix of each catalog scenario."""
        deep = max(1, int(size * 0.8) // 20)
        hot = [seed.product_slug(i) for i in range(0, size, max(1, size // 200))][:200]
        mixes = {
            "list first page": ["/api/v1/products/?channel=museum-web"],
            "list deep page": [f"/api/v1/products/?channel=museum-web&page={deep}"],
            "list filtered": [
                f"/api/v1/products/?channel=museum-web&collection=collection-{n:02d}"
                "&in_stock=true&price_min=100&ordering=price"
                for n in range(seed.COLLECTIONS)
            ],
            "list search": [
                f"/api/v1/products/?channel=museum-web&q={quote(word)}"
                for word in ("crane", "仙鹤", "folding fan", "tag-07", "bookmark")
            ],
            "product detail": [f"/api/v1/products/{slug}/?channel=museum-web" for slug in hot],
            **search_mixes(),  # bench/search.py
        }
        return {
            name: [{"path": path, "headers": {"Accept-Language": "en"}} for path in paths]
            for name, paths in mixes.items()
        }

    def catalog(self, size: int, *, miss: bool, only: tuple[str, ...] = ()) -> None:
        label = "uncached" if miss else "cached"
        for name, requests in self.catalog_requests(size).items():
            if only and name not in only:
                continue
            # Uncached: a parameter no request repeats, so every answer is computed (and
            # still stored, as a miss does). Cached: every distinct request asked once first.
            self._requests(
                f"{name} ({label})", f"{size} products", requests, prime=not miss, bust=miss
            )

    def checkout(self) -> None:
        """The checkout as the storefront's buy now does it (two requests per order: the
        order placed with its payment started, the payment confirmed), then step by step
        (six requests, as a client that builds its cart line by line does) for comparison.
        A short unmeasured run first fills the order, hold and payment tables, so that the
        statistics ANALYZE takes before the measurement describe tables with rows in them,
        as a shop's tables have."""
        skus = [seed.variant_sku(i, 0) for i in range(0, self.world.products, 7)][:2000]
        spec = {
            "kind": "checkout",
            "port": self.port,
            "channel": "museum-web",
            "skus": skus,
            "concurrency": self.plan.checkout_shoppers,
            "seconds": min(5.0, self.plan.checkout_seconds),
            "warmup": 0.0,
        }
        load(spec, timeout=240)
        flows = (
            ("buy-now", "checkout (orders/s)", "2 requests per order (buy now)"),
            ("step-by-step", "checkout, step by step", "6 requests per order; for comparison"),
        )
        for flow, name, note in flows:
            spec |= {"flow": flow, "seconds": self.plan.checkout_seconds, "warmup": 2.0}
            with self.measured_alone(f"checkout {flow}"):
                result = load(spec, timeout=self.plan.checkout_seconds + 180)
            row = _row(
                name,
                f"{self.plan.checkout_shoppers} shoppers",
                result,
                ceiling_ratio=_ratio(result["rps"], self.ceiling_rps),
                note=f"{note}; latency is the whole checkout",
            )
            self.run["results"].append(row)
            print(row_line(row), flush=True)

    @contextlib.contextmanager
    def measured_alone(self, scenario: str) -> Iterator[None]:
        """Measure a scenario on tables the planner knows the size of (ANALYZE, where
        the server's autovacuum is off), with the Celery worker held (SIGSTOP) once it has taken
        every task queued before, then let it take what the scenario queued and record
        how long that took: on this one machine the worker would otherwise take half
        of the cores the web processes are measured on (its e-mails and shipments cost
        about as much CPU per order as the web requests do), where in production it
        runs on machines of its own. Without a worker (eager tasks) nothing is held."""
        if not self.run.setdefault("autovacuum", seed.autovacuum_on()):
            seed.selling_tables_analyze()
        if not self.stack.signal("worker", 0):
            yield
            return
        self.tasks_drain(f"before {scenario}")
        self.stack.signal("worker", signal.SIGSTOP)
        try:
            yield
        finally:
            self.stack.signal("worker", signal.SIGCONT)
        self.run.setdefault("tasks", {})[scenario] = self.tasks_drain(f"after {scenario}")

    def tasks_drain(self, label: str, limit_seconds: float = 300) -> dict[str, Any]:
        """Wait (bounded) until the worker has taken every queued task (e-mails,
        shipments); returns the backlog found, what is left and how long it took."""
        client = redis.Redis(db=self.redis_db)
        started = time.monotonic()
        backlog = tasks_waiting(client)
        waiting = backlog
        while waiting and time.monotonic() - started < limit_seconds:
            time.sleep(0.2)
            waiting = tasks_waiting(client)
        seconds = time.monotonic() - started
        drained = {
            "backlog": backlog,
            "left": waiting,
            "seconds": round(seconds, 1),
            "tasks_per_second": round((backlog - waiting) / seconds, 1) if seconds else None,
        }
        if backlog:
            print(f"  tasks queued {label}: {drained}", flush=True)
        return drained

    def drop(self) -> None:
        sku = seed.drop_prepare(
            self.world, units=self.plan.drop_units, now=dt.datetime.now(dt.UTC), code="live"
        )
        spec = {
            "kind": "drop",
            "port": self.port,
            "channel": "media-live",
            "channel_key": self.world.live_key,
            "sku": sku,
            "shoppers": self.plan.drop_shoppers,
        }
        with self.measured_alone("drop"):
            result = load(spec, timeout=600)
        outcome = seed.drop_outcome(sku)
        burst = result["burst"]
        ordered = burst["statuses"].get("201", 0)
        row = _row(
            "livestream drop (order burst)",
            f"{self.plan.drop_shoppers} shoppers, {self.plan.drop_units} units",
            burst,
            all_answers_s=burst["seconds"],
            orders_succeeded=ordered,
            orders_in_database=outcome["orders"],
            stock_free_left=outcome["free"],
            prepare=result["prepare"],
        )
        self.run["results"].append(row)
        print(row_line(row), flush=True)
        self.run["drop"] = {
            "orders_succeeded": ordered,
            "orders_in_database": outcome["orders"],
            "stock_free_left": outcome["free"],
            "all_answers_s": burst["seconds"],
            "slowest_answer_ms": burst["max_ms"],
            "server_errors": sum(v for k, v in burst["statuses"].items() if k.startswith("5")),
            "answers": burst["statuses"],
        }

    def reports(self, lines: int) -> None:
        ids = seed.statement_ids(self.world, self.now)
        this_month = self.now.astimezone(dt.timezone(dt.timedelta(hours=8))).date().replace(day=1)
        last_month_end = this_month - dt.timedelta(days=1)
        period = f"date_from={last_month_end.replace(day=1)}&date_to={last_month_end}"
        auth = {"Authorization": f"Token {self.world.partner_token}"}
        report = [
            f"/api/v1/partners/reports/summary/?{period}",
            f"/api/v1/partners/reports/sales/?interval=day&{period}",
            f"/api/v1/partners/reports/breakdown/?by=channel&{period}",
            f"/api/v1/partners/reports/top-products/?limit=10&{period}",
        ]
        size = f"{lines} lines"
        self._requests(
            "partner monthly report",
            size,
            [{"path": path, "headers": auth} for path in report],
            concurrency=self.plan.report_concurrency,
        )
        for state in ("closed", "open"):
            self._requests(
                f"settlement statement csv ({state} month)",
                size,
                [
                    {
                        "path": f"/api/v1/partners/settlements/{ids[state]}/statement.csv",
                        "headers": auth,
                    }
                ],
                concurrency=2,
                max_requests=40,
            )

    def all(self, only: frozenset[str] = frozenset()) -> None:
        """Every scenario, or only the sections named in ``only`` (catalog, checkout,
        drop, reports) with the ceiling around them."""
        plan = self.plan

        def wanted(section: str) -> bool:
            return not only or section in only

        self.ceiling("ceiling")
        if wanted("catalog") or wanted("checkout") or wanted("drop"):
            for size in [s for s in plan.catalog_sizes if s <= plan.catalog_main]:
                if wanted("catalog") or size == plan.catalog_sizes[0]:
                    self._catalog_to(size)
                if wanted("catalog"):
                    self.catalog(size, miss=True)
            self._catalog_to(plan.catalog_main)
        if wanted("catalog"):
            self.catalog(plan.catalog_main, miss=False)
        if wanted("checkout"):
            self.checkout()
        if wanted("drop"):
            self.drop()
        if wanted("catalog"):
            for size in [s for s in plan.catalog_sizes if s > plan.catalog_main]:
                self._catalog_to(size)
                self.catalog(size, miss=True)
        if wanted("reports"):
            # Sales spread over the largest catalog, as in a full run.
            self._catalog_to(max(plan.catalog_sizes))
            for lines in plan.line_sizes:
                self._sales_to(lines)
                self.reports(lines)
        self.ceiling("ceiling (again, at the end)")
        self.run["targets"] = targets(self.run)

"""What the benchmark measures, in which order, and how it is reported.

Order of a run: the ceiling (``/health/live/``); the catalog sweep at each size (every
request a cache miss); at the main size the catalog scenarios with the Redis cache,
the checkout, the livestream drop and the sustained rate (bench/selling.py); the
catalog's largest size; then the sales sweep with the partner report and statements;
the ceiling again. The Celery worker and beat run through all of it, and every scenario
is measured with what they did meanwhile (bench/meter.py).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from urllib.parse import quote

import psycopg
import redis

from bench import seed, selling
from bench.meter import Meter
from bench.plans import Plan
from bench.report import row_line, targets
from bench.search import search_mixes
from bench.stack import Stack, load


def database_prepare(pg: str, name: str, redis_url: str, env: dict[str, str]) -> None:
    import subprocess
    import sys

    from bench.stack import ROOT

    redis.Redis.from_url(redis_url).flushdb()
    started = time.monotonic()
    seed.database_reset(f"{pg}/postgres", name)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(f"database {name} created and migrated in {time.monotonic() - started:.1f} s")


def cleanup(pg: str, name: str, redis_url: str, *, keep: bool) -> None:
    from django.db import connections

    connections.close_all()
    try:
        redis.Redis.from_url(redis_url).flushdb()
    except redis.RedisError as exc:
        print(f"could not flush Redis {redis_url}: {exc}")
    if not keep:
        try:
            seed.database_drop(f"{pg}/postgres", name)
        except psycopg.Error as exc:
            print(f"could not drop database {name}: {exc}")


def _ratio(rps: float, ceiling_rps: float) -> float | None:
    """A throughput as a share of the ceiling; None when no ceiling could be measured
    (a server too saturated to answer the ceiling's requests in its phase)."""
    return round(rps / ceiling_rps, 3) if ceiling_rps else None


def _row(name: str, size: str, result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"scenario": name, "size": size, **result, **extra}


class Bench:
    def __init__(
        self,
        *,
        plan: Plan,
        port: int,
        stack: Stack,
        run: dict[str, Any],
        meter: Meter,
        provider_spec: dict[str, Any],
    ) -> None:
        self.plan = plan
        self.meter = meter
        self.provider_spec = provider_spec
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
        with self.meter.scenario() as seen:
            result = load(spec, timeout=spec["seconds"] + 120)
        row = _row(name, size, result, **seen)
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
        return catalog_requests(size)

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
        drop, sustained, reports) with the ceiling around them."""
        plan = self.plan

        def wanted(section: str) -> bool:
            return not only or section in only

        self.ceiling("ceiling")
        if any(wanted(section) for section in ("catalog", "checkout", "drop", "sustained")):
            for size in [s for s in plan.catalog_sizes if s <= plan.catalog_main]:
                if wanted("catalog") or size == plan.catalog_sizes[0]:
                    self._catalog_to(size)
                if wanted("catalog"):
                    self.catalog(size, miss=True)
            self._catalog_to(plan.catalog_main)
        if wanted("catalog"):
            self.catalog(plan.catalog_main, miss=False)
        if wanted("checkout"):
            selling.checkout(self)
        if wanted("drop"):
            selling.drop(self)
        if wanted("sustained"):
            selling.sustained(self)
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


LIST_PATH = "/api/v1/products/?channel=museum-web"
DEEP_BY_NUMBER = "list deep page by number"
DEEP_BY_CURSOR = "list deep page by cursor"


def deep_page(size: int) -> int:
    """The page 80% of the way down a list of ``size`` products, 20 a page."""
    return max(1, int(size * 0.8) // 20)


def catalog_requests(size: int) -> dict[str, list[dict[str, Any]]]:
    """The request mix of each catalog scenario: the paths of :func:`catalog_paths`, and
    the deep pages by cursor, a shopper scrolling on from the page before the deep page
    by its ``next_cursor`` (bench/loadgen/scroll.py), the same products the deep page by
    number shows, then the pages after them to the list's end, and round again."""
    english = {"Accept-Language": "en"}
    requests = {
        name: [{"path": path, "headers": english} for path in paths]
        for name, paths in catalog_paths(size).items()
    }
    scroll = {"path": LIST_PATH, "scroll_from_page": deep_page(size) - 1, "headers": english}
    if deep_page(size) > 1:
        ordered = list(requests.items())
        at = [name for name, _ in ordered].index(DEEP_BY_NUMBER) + 1
        requests = dict([*ordered[:at], (DEEP_BY_CURSOR, [scroll]), *ordered[at:]])
    return requests


def catalog_paths(size: int) -> dict[str, list[str]]:
    """The paths each catalog scenario asks, on a catalog of ``size`` products (the deep
    page by cursor is a scroll, not a path: :func:`catalog_requests`)."""
    hot = [seed.product_slug(i) for i in range(0, size, max(1, size // 200))][:200]
    return {
        "list first page": [LIST_PATH],
        DEEP_BY_NUMBER: [f"{LIST_PATH}&page={deep_page(size)}"],
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

"""How big and how long the benchmark runs: the full plan and the quick one."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Plan:
    catalog_sizes: tuple[int, ...]
    catalog_main: int
    line_sizes: tuple[int, ...]
    seconds: float  # each read measurement
    concurrency: int  # connections of the read scenarios and the ceiling
    checkout_seconds: float
    checkout_shoppers: int
    drop_shoppers: int
    drop_units: int
    report_concurrency: int
    sustained_seconds: float  # the sustained scenario, at each offered rate
    sustained_rate: int  # buy-now orders arriving per second
    sustained_steps: int  # step-by-step orders arriving per second

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


FULL = Plan(
    catalog_sizes=(1_000, 10_000, 100_000),
    catalog_main=10_000,
    line_sizes=(10_000, 100_000, 1_000_000),
    seconds=8,
    concurrency=16,
    checkout_seconds=20,
    checkout_shoppers=16,
    drop_shoppers=500,
    drop_units=100,
    report_concurrency=4,
    sustained_seconds=180,
    sustained_rate=60,
    sustained_steps=35,
)
QUICK = Plan(
    catalog_sizes=(500, 2_000),
    catalog_main=2_000,
    line_sizes=(5_000, 20_000),
    seconds=3,
    concurrency=16,
    checkout_seconds=5,
    checkout_shoppers=16,
    drop_shoppers=100,
    drop_units=20,
    report_concurrency=4,
    sustained_seconds=20,
    sustained_rate=30,
    sustained_steps=15,
)
DROP_ANSWER_LIMIT_MS = 2000
DROP_ANSWER_P95_MS = 1000

"""The selling scenarios, measured with the Celery worker and beat running beside the
shop on the same machine, as it runs: the checkout at a fixed number of shoppers, the
livestream drop as shoppers live it, and the sustained end-to-end rate.

Shoppers pay through the provider over HTTP (``BENCH_PROVIDER``, "stripe" by default:
the shop's Stripe provider against the local fake of Stripe's API, bench/provider.py,
create answered in ``BENCH_PROVIDER_CREATE_MS``), the path a real payment takes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from bench import seed
from bench.report import row_line
from bench.stack import load

if TYPE_CHECKING:
    from bench.scenarios import Bench


def _ratio(rps: float, ceiling_rps: float) -> float | None:
    return round(rps / ceiling_rps, 3) if ceiling_rps else None


def _analyse(bench: Bench) -> None:
    """ANALYZE the selling tables where the server's autovacuum is off (as on this
    machine), so the planner knows how big they have grown."""
    if not bench.run.setdefault("autovacuum", seed.autovacuum_on()):
        seed.selling_tables_analyze()


def _skus(bench: Bench) -> list[str]:
    return [seed.variant_sku(i, 0) for i in range(0, bench.world.products, 7)][:2000]


def checkout(bench: Bench) -> None:
    """The checkout as the storefront's buy now does it (the order placed with its
    payment started, then paid at the provider), then step by step (cart, line,
    details, order, payment start, payment) for comparison; 16 shoppers each. A short
    unmeasured run first fills the order tables so ANALYZE describes tables with rows."""
    plan = bench.plan
    spec = {
        "kind": "checkout",
        "port": bench.port,
        "channel": "museum-web",
        "skus": _skus(bench),
        "concurrency": plan.checkout_shoppers,
        "seconds": min(5.0, plan.checkout_seconds),
        "warmup": 0.0,
        **bench.provider_spec,
    }
    with bench.meter.scenario():
        load(spec, timeout=240)
    flows = (
        ("buy-now", "checkout (orders/s)", "2 requests per order (buy now)"),
        ("step-by-step", "checkout, step by step", "6 requests per order; for comparison"),
    )
    for flow, name, note in flows:
        _analyse(bench)
        spec |= {"flow": flow, "seconds": plan.checkout_seconds, "warmup": 2.0}
        with bench.meter.scenario() as seen:
            result = load(spec, timeout=plan.checkout_seconds + 180)
        row = {
            "scenario": name,
            "size": f"{plan.checkout_shoppers} shoppers",
            **result,
            **seen,
            "ceiling_ratio": _ratio(result["rps"], bench.ceiling_rps),
            "note": f"{note}; latency is the whole checkout, paid at the provider",
        }
        bench.run["results"].append(row)
        print(row_line(row), flush=True)


def drop(bench: Bench) -> None:
    """The livestream drop as shoppers live it: ``drop_shoppers`` arrive within one
    second, each doing buy now and then paying, with the worker running."""
    plan = bench.plan
    sku = seed.drop_prepare(
        bench.world, units=plan.drop_units, now=dt.datetime.now(dt.UTC), code="live"
    )
    _analyse(bench)
    spec = {
        "kind": "arrivals",
        "port": bench.port,
        "channel": "media-live",
        "channel_key": bench.world.live_key,
        "skus": [sku],
        "rate": plan.drop_shoppers,
        "seconds": 1.0,
        "flow": "buy-now",
        "sold_out_ok": True,
        **bench.provider_spec,
    }
    with bench.meter.scenario() as seen:
        result = load(spec, timeout=600)
    outcome = seed.drop_outcome(sku)
    paid = result["statuses"].get("paid", 0)
    server_errors = sum(
        v for k, v in result["statuses"].items() if str(k).split(" ")[0].startswith("5")
    )
    row = {
        "scenario": "livestream drop (buy now and pay)",
        "size": f"{plan.drop_shoppers} shoppers in 1 s, {plan.drop_units} units",
        **result,
        **seen,
        "rps": result["rps"],
    }
    bench.run["results"].append(row)
    print(row_line(row), flush=True)
    bench.run["drop"] = {
        "orders_paid": paid,
        "orders_in_database": outcome["orders"],
        "orders_paid_in_database": outcome["paid"],
        "stock_free_left": outcome["free"],
        "all_answers_s": result["all_answers_s"],
        "slowest_answer_ms": result["answer_max_ms"],
        "answer_p95_ms": result["answer_p95_ms"],
        "server_errors": server_errors,
        "answers": result["statuses"],
        "failures": result["failures"],
        "queue_at_end": seen["queue_at_end"],
        "drain_seconds": seen["drain_seconds"],
        "deadlocks": seen["deadlocks"],
    }


def sustained(bench: Bench) -> None:
    """Orders arriving at a fixed rate for ``sustained_seconds`` (buy now, then step by
    step): orders placed and paid per second, p95 of the checkout, the queue's depth
    through the run and the time to drain it after."""
    plan = bench.plan
    for flow, rate in (("buy-now", plan.sustained_rate), ("step-by-step", plan.sustained_steps)):
        if not rate:
            continue
        _analyse(bench)
        spec: dict[str, Any] = {
            "kind": "arrivals",
            "port": bench.port,
            "channel": "museum-web",
            "skus": _skus(bench),
            "rate": rate,
            "seconds": plan.sustained_seconds,
            "flow": flow,
            "max_in_flight": 400,
            **bench.provider_spec,
        }
        with bench.meter.scenario(drain_limit_seconds=300) as seen:
            result = load(spec, timeout=plan.sustained_seconds + 600)
        row = {
            "scenario": f"sustained {flow} at {rate}/s",
            "size": f"{plan.sustained_seconds:.0f} s",
            **result,
            **seen,
            "rps": result["paid_per_second"],
        }
        bench.run["results"].append(row)
        print(row_line(row), flush=True)

"""The benchmark's report: the targets a run had to reach, and the table it prints."""

from __future__ import annotations

from typing import Any

from bench.plans import DROP_ANSWER_LIMIT_MS
from bench.search import search_checks

LIST_SCENARIOS = ("list first page", "list deep page", "list filtered", "list search")


def _result(run: dict[str, Any], scenario: str, size: str | None = None) -> dict[str, Any]:
    for row in run["results"]:
        if row["scenario"] == scenario and (size is None or row["size"] == size):
            return dict(row)
    return {}


def _check(section: str, target: str, value: Any, ok: bool) -> dict[str, Any]:
    return {"section": section, "target": target, "value": value, "ok": ok}


def _catalog_checks(run: dict[str, Any]) -> list[dict[str, Any]]:
    main = f"{run['plan']['catalog_main']} products"
    named = [(f"{name} (cached)", name) for name in LIST_SCENARIOS]
    named.append(("product detail (cached)", "detail"))
    checks = []
    for scenario, name in named:
        ratio = _result(run, scenario, main).get("ceiling_ratio") or 0
        checks.append(_check("catalog", f"{name}: >= 50% of ceiling", ratio, ratio >= 0.5))
    return checks


def _checkout_check(run: dict[str, Any]) -> dict[str, Any]:
    row = _result(run, "checkout (orders/s)")
    return _check(
        "checkout",
        "checkout: >= 100 orders/s, p95 < 300 ms, no errors",
        f"{row.get('rps')} orders/s, p95 {row.get('p95_ms')} ms, {row.get('errors')} errors",
        bool(row) and row["rps"] >= 100 and (row["p95_ms"] or 1e9) < 300 and row["errors"] == 0,
    )


def _drop_check(run: dict[str, Any]) -> dict[str, Any]:
    drop = run.get("drop", {})
    units = run["plan"]["drop_units"]
    return _check(
        "drop",
        f"drop: exactly {units} orders, stock 0, every answer <= 3 s, no 5xx",
        f"{drop.get('orders_succeeded')} orders "
        f"({drop.get('orders_in_database')} in the database), "
        f"stock {drop.get('stock_free_left')}, slowest {drop.get('slowest_answer_ms')} ms, "
        f"{drop.get('server_errors')} 5xx",
        drop.get("orders_succeeded") == units
        and drop.get("orders_in_database") == units
        and drop.get("stock_free_left") == 0
        and (drop.get("slowest_answer_ms") or 1e9) <= DROP_ANSWER_LIMIT_MS
        and drop.get("server_errors") == 0,
    )


def _report_check(run: dict[str, Any]) -> dict[str, Any]:
    largest = f"{run['plan']['line_sizes'][-1]} lines"
    row = _result(run, "partner monthly report", largest)
    return _check(
        "reports",
        f"monthly report over {largest}: p95 < 300 ms",
        f"p95 {row.get('p95_ms')} ms",
        bool(row) and (row.get("p95_ms") or 1e9) < 300 and row["errors"] == 0,
    )


def targets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """What the run had to reach, each with what it reached (only the sections run)."""
    checks = [*_catalog_checks(run), _checkout_check(run), _drop_check(run), _report_check(run)]
    checks += search_checks(run)  # bench/search.py
    only = set(run.get("only") or ())
    return [check for check in checks if not only or check["section"] in only]


COLUMNS = ("scenario", "size", "rps", "x ceiling", "p50 ms", "p95 ms", "p99 ms", "errors")


def _cells(row: dict[str, Any]) -> list[str]:
    ratio = row.get("ceiling_ratio")
    return [
        row["scenario"],
        row["size"],
        f"{row['rps']:.1f}",
        f"{ratio:.2f}" if ratio is not None else "-",
        f"{row['p50_ms']}",
        f"{row['p95_ms']}",
        f"{row['p99_ms']}",
        str(row["errors"]),
    ]


def row_line(row: dict[str, Any]) -> str:
    return "  " + " | ".join(_cells(row))


def table(run: dict[str, Any]) -> str:
    rows = [list(COLUMNS)] + [_cells(row) for row in run["results"]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    out = ["", "Results (" + run["stack"]["server"] + "; " + run["stack"]["tasks"] + ")"]
    for n, cells in enumerate(rows):
        out.append(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    if run.get("drop"):
        drop = run["drop"]
        out.append(
            f"\nDrop: all answers in {drop['all_answers_s']} s, {drop['orders_succeeded']} orders "
            f"succeeded ({drop['orders_in_database']} in the database), free stock left "
            f"{drop['stock_free_left']}, slowest answer {drop['slowest_answer_ms']} ms, "
            f"answers {drop['answers']}"
        )
    if run.get("targets"):
        out.append("\nTargets:")
        for check in run["targets"]:
            out.append(
                f"  [{'met ' if check['ok'] else 'MISS'}] {check['target']}: {check['value']}"
            )
    return "\n".join(out)

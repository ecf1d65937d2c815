"""The catalog scenarios of ``make bench`` (bench/scenarios.py) and how the report shows
and checks them (bench/report.py): the deep page asked by number and by cursor."""

from __future__ import annotations

from bench import report, scenarios


def test_the_deep_page_is_asked_by_number_and_by_a_scroll_from_the_page_before_it():
    requests = scenarios.catalog_requests(10_000)

    names = list(requests)
    by_number = names.index("list deep page by number")
    assert names[by_number + 1] == "list deep page by cursor"
    assert [r["path"] for r in requests["list deep page by number"]] == [
        "/api/v1/products/?channel=museum-web&page=400"
    ]
    assert requests["list deep page by cursor"] == [
        {
            "path": "/api/v1/products/?channel=museum-web",
            "scroll_from_page": 399,
            "headers": {"Accept-Language": "en"},
        }
    ]
    assert "list deep page" not in names


def test_a_list_of_one_page_has_no_scroll():
    assert "list deep page by cursor" not in scenarios.catalog_requests(20)


def row(scenario: str, ratio: float) -> dict:
    return {
        "scenario": scenario,
        "size": "10000 products",
        "rps": 100.0,
        "ceiling_ratio": ratio,
        "p50_ms": 1,
        "p95_ms": 2,
        "p99_ms": 3,
        "errors": 0,
    }


def catalog_run(results: list[dict]) -> dict:
    plan = {"catalog_main": 10_000, "line_sizes": [10_000]}
    plan |= {"drop_units": 100, "sustained_rate": 60, "sustained_steps": 35}
    stack = {"server": "gunicorn", "tasks": "worker"}
    return {"plan": plan, "results": results, "only": ["catalog"], "stack": stack}


def test_the_report_checks_the_deep_page_by_cursor_uncached_and_cached():
    run = catalog_run(
        [
            row("list deep page by cursor (uncached)", 0.31),
            row("list deep page by number (uncached)", 0.1),
            row("list deep page by cursor (cached)", 0.4),
        ]
    )

    checks = {check["target"]: check["ok"] for check in report.targets(run)}

    assert checks["list deep page by cursor (uncached): >= 30% of ceiling"] is True
    assert checks["list deep page by cursor: >= 50% of ceiling"] is False
    assert checks["list first page (uncached): >= 30% of ceiling"] is False
    assert checks["product detail (uncached): >= 35% of ceiling"] is False
    run["targets"] = report.targets(run)
    printed = report.table(run)
    assert "list deep page by cursor (uncached)  10000 products" in printed
    assert "list deep page by number (uncached)  10000 products" in printed

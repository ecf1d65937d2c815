"""The dependency audit's verdicts (scripts/audit_dependencies.py), and ``make lint``
running it."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _audit_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "audit_dependencies", REPO / "scripts" / "audit_dependencies.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


AUDITED_CLEAN = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {"name": "celery", "version": "5.7.0", "vulns": []},
    ],
    "fixes": [],
}
AUDITED_VULNERABLE = {
    "dependencies": [
        {
            "name": "django",
            "version": "5.2.0",
            "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"], "aliases": []}],
        },
        {"name": "celery", "version": "5.7.0", "vulns": []},
    ],
    "fixes": [],
}
NOTHING_AUDITED = {
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI: django (5.2.19)"},
        {"name": "celery", "skip_reason": "Dependency not found on PyPI: celery (5.7.0)"},
    ],
    "fixes": [],
}
OSV_UNREACHABLE = (
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): "
    "Max retries exceeded with url: /v1/query (Caused by NameResolutionError(...))\n"
)


def test_audit_passes_when_nothing_is_known():
    status, lines = _audit_module().verdict(AUDITED_CLEAN, "", 0)

    assert (status, lines) == (0, ["No known vulnerabilities in 2 audited package(s)."])


def test_audit_fails_on_a_known_vulnerability_and_names_the_fix():
    status, lines = _audit_module().verdict(AUDITED_VULNERABLE, "", 1)

    assert status == 1
    assert lines == [
        "Known vulnerabilities in 1 pinned package(s):",
        "  django 5.2.0: PYSEC-2025-1 (fix: 5.2.1)",
    ]


def test_audit_warns_and_passes_when_the_service_answers_for_no_package():
    audit = _audit_module()

    status, lines = audit.verdict(NOTHING_AUDITED, "", 0)
    strict_status, _ = audit.verdict(NOTHING_AUDITED, "", 0, strict=True)

    assert status == 0
    assert lines[0].startswith("WARNING: the vulnerability service could not be reached")
    assert strict_status == 1


def test_audit_warns_and_passes_when_the_service_cannot_be_reached():
    audit = _audit_module()

    status, lines = audit.verdict(None, OSV_UNREACHABLE, 1)
    strict_status, _ = audit.verdict(None, OSV_UNREACHABLE, 1, strict=True)

    assert status == 0
    assert lines[0] == (
        "WARNING: the vulnerability service could not be reached; dependencies were NOT audited."
    )
    assert strict_status == 1


def test_audit_reports_pip_audit_itself_failing():
    status, lines = _audit_module().verdict(None, "usage: pip-audit: invalid requirement", 2)

    assert status == 2
    assert lines[0] == "pip-audit failed (exit 2):"


def test_make_lint_runs_the_dependency_audit():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]

    assert "$(BIN)/python scripts/audit_dependencies.py" in lint

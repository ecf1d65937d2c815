"""Audit the pinned dependencies (constraints.txt) for known vulnerabilities with pip-audit.

Exit status, as ``make lint`` reads it:

- 1 when a pinned package has a known vulnerability (the report lists the fix versions);
- 0 with a clear warning when the vulnerability service cannot be reached (a machine that
  reaches only the package index), so an offline build stays green; set
  ``AUDIT_STRICT=1`` (or pass ``--strict``) where the network is expected, to fail instead;
- 2 when pip-audit itself could not run.

pip-audit asks PyPI's JSON API by default; ``AUDIT_SERVICE=osv`` asks OSV instead.
A service that cannot be reached shows up in two ways: pip-audit stops with a connection
error (OSV), or it reports every package as "not found" and audits none (PyPI), which
must not be mistaken for "no known vulnerabilities".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REQUIREMENTS = REPO / "constraints.txt"
TIMEOUT_SECONDS = 600

NETWORK_FAILURES = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "NameResolutionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Connection refused",
    "ServiceError",
)


def verdict(
    report: dict[str, Any] | None, stderr: str, returncode: int, strict: bool = False
) -> tuple[int, list[str]]:
    """The exit status and the lines to print, from pip-audit's JSON report and stderr."""
    unreachable_status = 1 if strict else 0
    if report is None:
        if any(marker in stderr for marker in NETWORK_FAILURES):
            last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
            return unreachable_status, [
                "WARNING: the vulnerability service could not be reached; "
                "dependencies were NOT audited.",
                f"  {last[:300]}",
            ]
        return 2, [f"pip-audit failed (exit {returncode}):", stderr.strip()[-2000:]]

    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    if vulnerable:
        lines = [f"Known vulnerabilities in {len(vulnerable)} pinned package(s):"]
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
                lines.append(
                    f"  {dep['name']} {dep.get('version', '')}: {vuln['id']} (fix: {fixes})"
                )
        return 1, lines
    if dependencies and audited == 0:
        return unreachable_status, [
            "WARNING: the vulnerability service could not be reached; "
            f"none of the {len(dependencies)} pinned packages could be audited.",
            f"  e.g. {skipped[0]['skip_reason']}",
        ]
    lines = [f"No known vulnerabilities in {audited} audited package(s)."]
    if skipped:
        lines.append(f"WARNING: {len(skipped)} package(s) could not be audited:")
        lines += [f"  {dep['skip_reason']}" for dep in skipped]
        return (1 if strict else 0), lines
    return 0, lines


def run_pip_audit(service: str) -> tuple[dict[str, Any] | None, str, int]:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "report.json"
        command = [
            str(pip_audit),
            "--requirement",
            str(REQUIREMENTS),
            "--no-deps",  # constraints.txt pins every package, transitive ones included
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(output),
            "--vulnerability-service",
            service,
            "--timeout",
            "15",
        ]
        try:
            result = subprocess.run(  # noqa: S603  (our own fixed command line)
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, cwd=REPO
            )
        except subprocess.TimeoutExpired:
            return None, "ReadTimeout: pip-audit did not finish in time", -1
        except FileNotFoundError:
            return None, f"{pip_audit} not found: install the dev dependencies", -1
        report = None
        if output.exists() and output.stat().st_size:
            try:
                report = json.loads(output.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                report = None
        return report, result.stderr, result.returncode


def main(argv: list[str]) -> int:
    strict = "--strict" in argv or os.environ.get("AUDIT_STRICT", "") in ("1", "true", "yes")
    service = os.environ.get("AUDIT_SERVICE", "pypi")
    print(f"Auditing {REQUIREMENTS.name} with pip-audit ({service})...")
    report, stderr, returncode = run_pip_audit(service)
    status, lines = verdict(report, stderr, returncode, strict=strict)
    stream = sys.stdout if status == 0 else sys.stderr
    for line in lines:
        print(line, file=stream)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

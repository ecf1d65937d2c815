"""The README's "Buying, as API calls", run as written against the embedded default: the
examples a newcomer pastes first must work, and must not drift from the API."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from tests.journeys.shop_api import PAID_STATUSES
from tests.journeys.stacks import ROOT, Stack, passed_on_environment

pytestmark = pytest.mark.journey

SECTION = "## Buying, as API calls"
README_ADDRESS = "127.0.0.1:8000"  # where `make run` serves, as the README says


def readme_examples() -> list[str]:
    """The ```sh blocks of the section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n{SECTION}\n")
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end != -1 else None]
    return re.findall(r"^```sh\n(.*?)^```$", section, flags=re.DOTALL | re.MULTILINE)


def printed(stdout: str) -> list[Any]:
    """What the examples printed, in order: JSON documents (jq) and lines of text."""
    decoder, items, position = json.JSONDecoder(), [], 0
    while position < len(stdout):
        if stdout[position].isspace():
            position += 1
            continue
        try:
            item, position = decoder.raw_decode(stdout, position)
        except json.JSONDecodeError:
            end = stdout.find("\n", position)
            end = len(stdout) if end == -1 else end
            item, position = stdout[position:end], end
        items.append(item)
    return items


def test_the_readme_buying_examples_work_pasted_as_written(embedded_stack: Stack):
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"The README's examples need {', '.join(missing)}: apt-get install curl jq")
    blocks = readme_examples()
    assert len(blocks) == 4
    assert README_ADDRESS in blocks[0]
    here = embedded_stack.base_url.removeprefix("http://")
    script = "\n".join(block.replace(README_ADDRESS, here) for block in blocks)

    run = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{script}"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=embedded_stack.workdir,
        env=passed_on_environment(),
    )

    assert run.returncode == 0, f"stdout:\n{run.stdout[-4000:]}\nstderr:\n{run.stderr[-4000:]}"
    (found, product, cart, methods, checkout, placed, paid, paid_now, order, tracking) = printed(
        run.stdout
    )
    assert "fu-folding-fan" in [p["slug"] for p in found]
    assert "BW-FAN-01-S" in [v["sku"] for v in product["variants"]]
    assert cart["subtotal"] == checkout["subtotal"]
    assert [m["code"] for m in methods] == ["standard"]
    assert checkout["discount"] != "0.00"
    assert re.fullmatch(r"order \d{14}-[0-9A-Z]{4}", placed)
    assert paid in PAID_STATUSES and paid_now in PAID_STATUSES
    assert order["number"] == placed.removeprefix("order ")
    assert order["status"] in PAID_STATUSES
    assert (order["amount_paid"], order["total"]) == (checkout["total"], checkout["total"])
    assert tracking["status"] in PAID_STATUSES
    assert isinstance(tracking["parcels"], list)

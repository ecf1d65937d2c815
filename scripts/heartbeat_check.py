"""Exit 0 when a process's heartbeat file is fresh, 1 otherwise: the healthcheck of the
Celery worker and beat containers (docker-compose.yml).

    python scripts/heartbeat_check.py worker [--max-age 60]
    python scripts/heartbeat_check.py beat [--max-age 120]

It imports neither Django nor Celery (shop/core/heartbeat.py writes the files, in
``SHOP_HEARTBEAT_DIR``), so a check costs a ``stat``, not a process booting the shop.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="worker or beat")
    parser.add_argument("--max-age", type=float, default=60.0, help="seconds (default 60)")
    args = parser.parse_args(argv)
    directory = Path(
        os.environ.get("SHOP_HEARTBEAT_DIR") or Path(tempfile.gettempdir()) / "shop-heartbeat"
    )
    path = directory / args.name
    try:
        age = time.time() - path.stat().st_mtime
        state = path.read_text().strip()
    except OSError as exc:
        print(f"{args.name}: no heartbeat ({exc.strerror}: {path})")
        return 1
    print(f"{args.name}: {state}, {age:.0f} s ago")
    return 0 if age <= args.max_age else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Stop early, with the fix, when PostgreSQL or Redis is not reachable."""

import os
import socket
import sys

SERVICES = [
    (
        "PostgreSQL",
        os.environ.get("PGHOST", "127.0.0.1"),
        5432,
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    ),
    (
        "Redis",
        "127.0.0.1",
        6379,
        'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    ),
]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    missing = [s for s in SERVICES if not reachable(s[1], s[2])]
    for name, host, port, start in missing:
        print(f"{name} is not reachable on {host}:{port}. Start it with:\n    {start}")
    if missing:
        print("(see DEVELOPERS.md)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

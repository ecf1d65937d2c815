"""The database and the cache."""

from django.core.exceptions import ImproperlyConfigured

from .environment import BASE_DIR, env

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)


def postgresql_options(database: dict) -> None:
    """PostgreSQL through Django's backend with a health check of kept connections that
    needs no round trip (shop/core/postgresql). The server binds the parameters itself
    and keeps the plan of a statement this connection has run
    ``DATABASE_PREPARE_THRESHOLD`` times (prepared statements), so the checkout's
    statements are planned once per connection instead of every time. Behind a pooler
    that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode) set
    ``DATABASE_PREPARE_THRESHOLD=0``."""
    if "postgresql" not in database.get("ENGINE", ""):
        return
    database["ENGINE"] = "shop.core.postgresql"
    options = database.setdefault("OPTIONS", {})
    threshold = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", threshold if threshold > 0 else None)


def pooler_options(database: dict) -> None:
    """Behind PgBouncer in transaction mode (``DATABASE_POOLER=transaction``), where
    consecutive transactions of one connection may reach different server sessions:
    no prepared statements (psycopg's ``prepare_threshold=None``), whatever
    ``DATABASE_PREPARE_THRESHOLD`` says, and no server-side cursors (``.iterator()``
    would declare a cursor in one session and fetch from it in another). Connections
    are still kept (``DATABASE_CONN_MAX_AGE``): PgBouncer's are cheap, the server's few."""
    pooler = env("DATABASE_POOLER", default="")
    if pooler not in ("", "session", "transaction"):
        raise ImproperlyConfigured(
            f'DATABASE_POOLER is "", "session" or "transaction", not "{pooler}".'
        )
    if pooler != "transaction" or "postgresql" not in database.get("ENGINE", ""):
        return
    database.setdefault("OPTIONS", {})["prepare_threshold"] = None
    database["DISABLE_SERVER_SIDE_CURSORS"] = True


def sqlite_options(database: dict) -> None:
    """SQLite for the embedded default, where requests and the periodic tasks write from
    several threads: write-ahead logging (readers never wait on the writer), a
    transaction takes the write lock when it begins (never upgrades from a read lock,
    which SQLite would refuse at once), and a writer waits up to 20 s for the lock."""
    if "sqlite" not in database.get("ENGINE", ""):
        return
    options = database.setdefault("OPTIONS", {})
    options.setdefault("transaction_mode", "IMMEDIATE")
    options.setdefault("timeout", 20)
    options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")


postgresql_options(DATABASES["default"])
sqlite_options(DATABASES["default"])


def replica_database(default: dict) -> dict | None:
    """``DATABASE_REPLICA_URL``: a read replica of the primary for partners' reports
    and exports (shop/core/replica.py), with the primary's options; in tests, the test
    database itself."""
    url = env("DATABASE_REPLICA_URL", default="")
    if not url:
        return None
    replica = env.db_url_config(url)
    replica["CONN_MAX_AGE"] = default.get("CONN_MAX_AGE", 0)
    replica["CONN_HEALTH_CHECKS"] = default.get("CONN_HEALTH_CHECKS", False)
    postgresql_options(replica)
    pooler_options(replica)
    replica["TEST"] = {"MIRROR": "default"}
    return replica


def replica_add(databases: dict) -> list[str]:
    """Add the replica alias when one is configured; the routers to install."""
    replica = replica_database(databases["default"])
    if replica is None:
        return []
    databases["replica"] = replica
    return ["shop.core.replica.ReplicaRouter"]


DATABASE_ROUTERS = replica_add(DATABASES)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL: str = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "shop.core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "shop",
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

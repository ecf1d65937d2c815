"""Celery: the broker, how tasks run and are handed on, the sweeps' interval."""

from .application import TIME_ZONE
from .databases import REDIS_URL
from .environment import env

# Celery: with no REDIS_URL, tasks run in-process so a first run needs nothing else.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")


def broker_transport(url: str) -> str | None:
    """kombu's Redis transport with one client per channel (shop/core/broker.py) for a
    Redis broker; the URL's own transport otherwise."""
    return "shop.core.broker:Transport" if url.startswith(("redis://", "rediss://")) else None


CELERY_BROKER_TRANSPORT = broker_transport(CELERY_BROKER_URL)
CELERY_RESULT_BACKEND = None
# No task's result is read (there is no result backend): a worker does not store them.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A web request enqueueing a task must not wait on a dead broker: no reconnect
# attempts on publish (max_retries 0; retrying takes seconds), a short connect
# timeout, and a read timeout for a broker that vanished without closing the socket.
# Work not enqueued is found by the periodic sweeps.
# A task whose worker died is taken up by another within a lease and a sweep; a worker
# renews the leases of the tasks it holds (shop/core/task_leases.py), so a long task is
# never handed to a second worker.
SHOP_TASK_LEASE_SECONDS = env.int("SHOP_TASK_LEASE_SECONDS", default=20)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": SHOP_TASK_LEASE_SECONDS,
    # Look for tasks of dead workers every quarter of a lease, scanning every time.
    "unacked_restore_interval": max(1, SHOP_TASK_LEASE_SECONDS // 4),
    "unacked_restore_throttle": 1,
    "max_retries": 0,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
# Celery's Django fixup closes every database connection before and after every task
# unless this is set, and then every this many tasks: a new PostgreSQL session per task
# (a connection, its authentication, its prepared statements lost) cost a worker more
# than most of its tasks. A worker keeps its connections as a web process does
# (``DATABASE_CONN_MAX_AGE``, health checks, closed after an error; shop/core/tasks.py).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TIMEZONE = TIME_ZONE
# Seconds between the sweeps that run "every minute" (lapsed holds, unpaid orders,
# parcels, lost tasks); see the beat schedule in shop/celery.py.
SHOP_SWEEP_SECONDS = env.float("SHOP_SWEEP_SECONDS", default=60)
# The periodic tracking poll asks about a parcel at the next sweep after news, then
# waits twice as long each time the carrier had nothing new, at most this long.
SHOP_TRACKING_POLL_MAX_SECONDS = env.float("SHOP_TRACKING_POLL_MAX_SECONDS", default=3600)
# Run the beat schedule inside `manage.py runserver` when tasks run in-process (the
# embedded default), so nothing periodic needs a second command there.
SHOP_IN_PROCESS_BEAT = env.bool("SHOP_IN_PROCESS_BEAT", default=True)
# Workers log through LOGGING above (JSON, request ids, masking), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Processes of a `celery worker` that names no --concurrency (docker-compose.yml's).
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=2)

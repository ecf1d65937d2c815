"""The test suite: the real PostgreSQL and Redis on 127.0.0.1."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import BASE_DIR, broker_transport, env, postgresql_options, replica_add, sqlite_options

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/coshop"),
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
postgresql_options(DATABASES["default"])
sqlite_options(DATABASES["default"])
DATABASE_ROUTERS = replica_add(DATABASES)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default's engine, on a file as make run has it (an in-memory database
    # shares one cache between threads and locks differently).
    DATABASES["default"]["TEST"] = {
        "NAME": env(
            "TEST_DATABASE_NAME",
            default=os.path.join(tempfile.gettempdir(), f"coshop-test-{os.getpid()}.sqlite3"),
        )
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_coshop")}

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {
    "default": {
        "BACKEND": "shop.core.cache.TolerantRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="shop-test"),
    }
}
CELERY_BROKER_URL = REDIS_URL
# The broker of the real Celery workers some tests start (tests/celery_workers.py):
# a Redis database no other part of the suite uses.
BROKER_TEST_URL = env("BROKER_TEST_URL", default="redis://127.0.0.1:6379/6")
CELERY_BROKER_TRANSPORT = broker_transport(CELERY_BROKER_URL)
# Tests change catalog rows with update(), which the catalog cache cannot see; the cache
# has its own tests, which turn it on.
CATALOG_CACHE_SECONDS = 0
# Likewise sold-out marks (catalog/stock/sold_out.py): a test's units come back inside
# its transaction, whose commit never clears them; their tests turn them on.
SHOP_SOLD_OUT_MARK_SECONDS = 0
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".pytest_cache" / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Each test gets a directory of its own (tests/conftest.py).
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
}
# Throttling and the sign-in and order-guess limits have their own tests, which set their
# limits; elsewhere they must not interfere.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        scope: "100000/min"
        for scope in (
            "sign_in",
            "registration",
            "cart",
            "checkout",
            "order_access",
            "sms_code",
            "account_email",
        )
    },
}
AXES_FAILURE_LIMIT = 100000
SIGN_IN_FAILURES_PER_ACCOUNT = 100000
GUEST_ORDER_FAILURES_PER_ORDER = 100000

# The journeys (tests/journeys) start the shop in processes of its own, the way its users
# do. The production-like one gets a PostgreSQL database on the test database's server
# (created and dropped by the journeys) and a Redis database of its own (emptied at start):
# neither may be one the rest of the suite uses.
JOURNEY_DATABASE_NAME = env(
    "JOURNEY_DATABASE_NAME",
    default=f"{DATABASES['default']['TEST']['NAME'] or 'test_coshop'}_journeys",
)
JOURNEY_REDIS_URL = env("JOURNEY_REDIS_URL", default="redis://127.0.0.1:6379/7")

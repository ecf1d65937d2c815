"""Production: PostgreSQL, Redis, gunicorn and Celery workers. Refuses to start without secrets."""

from .base import *  # noqa: F403
from .base import (
    LOGGING,
    STORAGES,
    broker_transport,
    env,
    pooler_options,
    postgresql_options,
    replica_add,
)

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
# The keys before a rotation: what they signed (sessions, password-reset links, the
# product list's cursors) is still read until the old key is removed from this list.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
postgresql_options(DATABASES["default"])
pooler_options(DATABASES["default"])
DATABASE_ROUTERS = replica_add(DATABASES)
# The shop's Redis (the broker, by default, and the event counters) and the cache's,
# which may be another Redis with a memory policy of its own (an evicting cache must
# never share memory with queued tasks): both default to REDIS_URL.
REDIS_URL = env("REDIS_URL")
CACHE_URL = env("CACHE_URL", default=REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "shop.core.cache.TolerantRedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "shop",
    }
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_TRANSPORT = broker_transport(CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = False
# Exactly one beat schedules: the one holding a PostgreSQL advisory lock
# (shop/core/beat_lock.py); it ticks at least every 30 s, each tick its heartbeat.
CELERY_BEAT_SCHEDULER = "shop.core.beat_lock:SingleBeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("CELERY_BEAT_MAX_LOOP_INTERVAL", default=30)
# Static files under names that carry a hash of their content (admin.4f3c2a.css), so
# the proxy and browsers may keep them for a year; collectstatic writes the manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Health probes come from inside the network over plain HTTP.
# Probes and the metrics scraper reach the processes directly, inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
# A slow mail server must not hold a Celery worker forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# Observability and security
# Log collectors read one JSON object per line.
LOGGING = {
    **LOGGING,
    "handlers": {
        "console": {
            **LOGGING["handlers"]["console"],  # type: ignore[index]
            "formatter": env("LOG_FORMAT", default="json"),
        }
    },
}
# The TLS-terminating proxy in front of gunicorn appends the client to X-Forwarded-For.
THROTTLE_TRUSTED_PROXIES = env.int("THROTTLE_TRUSTED_PROXIES", default=1)
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

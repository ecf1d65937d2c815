"""Logs, metrics and the proxies the throttles trust."""

from .environment import env

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "shop.core.observability.RequestIdFilter"},
        "mask_secrets": {"()": "shop.core.observability.SecretMaskingFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "shop.core.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # "json" (one object per line, for log collectors) or "plain" (for people).
            "formatter": env("LOG_FORMAT", default="plain"),
            "filters": ["mask_secrets", "request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Bearer token Prometheus sends to /metrics/; without it the endpoint exists only in DEBUG.
METRICS_TOKEN: str = env("METRICS_TOKEN", default="")
# Celery queues whose waiting tasks /metrics/ reports.
METRICS_CELERY_QUEUES: list[str] = env.list(
    "METRICS_CELERY_QUEUES", default=["default", "fulfillment", "notifications", "reports"]
)
# Proxies in front of the web processes whose X-Forwarded-For the throttles trust (0: none).
THROTTLE_TRUSTED_PROXIES = env.int("THROTTLE_TRUSTED_PROXIES", default=0)

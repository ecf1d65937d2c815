"""Settings shared by every environment.

Every value comes from the environment through the one ``env`` object below; the
local, test and production modules only change defaults and demand secrets.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # First, so its runserver (which also runs the periodic tasks in-process) is the one used.
    "shop.ops",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "shop.accounts",
    "shop.channels",
    "shop.carts",
    "shop.checkout",
    "shop.orders",
    "shop.payments",
    "partners",
    "catalog",
    "fulfillment",
    "shop.demo",
]

MIDDLEWARE = [
    # First, so every log line, redirect and error answer carries the request id.
    "shop.core.observability.RequestIdMiddleware",
    "shop.core.metrics.MetricsMiddleware",
    "shop.core.errors.ApiNotFoundMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shop" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers the files WhiteNoise serves (the image bakes them in at build).
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="shop@example.com")

REST_FRAMEWORK = {
    # Token first: an anonymous API call then answers 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "shop.core.schema.ShopAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "shop.core.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "shop.core.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {
        "sign_in": env("THROTTLE_SIGN_IN", default="10/min"),
        "registration": env("THROTTLE_REGISTRATION", default="10/hour"),
        "cart": env("THROTTLE_CART", default="120/min"),
        "checkout": env("THROTTLE_CHECKOUT", default="30/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Co-branded cultural products shop API",
    "DESCRIPTION": (
        "Catalog, stock, carts, orders, payments, fulfillment and partner settlements "
        "for the products a museum and a media group make and sell together."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs' scripts are served by the shop itself: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every status and kind gets its own enum name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "PersonalisationCharsetEnum": "catalog.models.PersonalisationCharset.choices",
        "MovementReasonEnum": "catalog.models.MovementReason.choices",
        "CarrierCodeEnum": "fulfillment.models.CarrierCode.choices",
        "ShipmentStatusEnum": "fulfillment.models.ShipmentStatus.choices",
        "TrackingCodeEnum": "fulfillment.models.TrackingCode.choices",
        "ShipmentEventTypeEnum": "fulfillment.models.ShipmentEventType.choices",
        "ReturnStatusEnum": "fulfillment.models.ReturnStatus.choices",
        "ReturnConditionEnum": "fulfillment.models.ReturnCondition.choices",
        "PartnerRoleEnum": "partners.models.PartnerRole.choices",
        "PartyRoleEnum": "partners.models.PartyRole.choices",
        "FeeBearerEnum": "partners.models.FeeBearer.choices",
        "RefundPolicyEnum": "partners.models.RefundPolicy.choices",
        "SettlementStatusEnum": "partners.models.SettlementStatus.choices",
        "TransferStatusEnum": "partners.models.TransferStatus.choices",
        "SettlementEventTypeEnum": "partners.models.SettlementEventType.choices",
        "LedgerKindEnum": "partners.models.LedgerKind.choices",
        "CartStatusEnum": "shop.carts.models.CartStatus.choices",
        "OrderStatusEnum": "shop.orders.models.OrderStatus.choices",
        "OrderEventTypeEnum": "shop.orders.models.OrderEventType.choices",
        "ChannelKindEnum": "shop.channels.models.ChannelKind.choices",
        "VoucherKindEnum": "shop.checkout.models.VoucherKind.choices",
        "ReservationStatusEnum": "shop.checkout.models.ReservationStatus.choices",
        "PaymentProviderEnum": "shop.payments.models.PaymentProvider.choices",
        "PaymentStatusEnum": "shop.payments.models.PaymentStatus.choices",
        "RefundStatusEnum": "shop.payments.models.RefundStatus.choices",
        "FakeChargeStatusEnum": "shop.payments.models.FakeChargeStatus.choices",
    },
}

CORS_ALLOWED_ORIGINS: list[str] = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# Celery: with no REDIS_URL, tasks run in-process so a first run needs nothing else.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")


def broker_transport(url: str) -> str | None:
    """kombu's Redis transport with one client per channel (shop/core/broker.py) for a
    Redis broker; the URL's own transport otherwise."""
    return "shop.core.broker:Transport" if url.startswith(("redis://", "rediss://")) else None


CELERY_BROKER_TRANSPORT = broker_transport(CELERY_BROKER_URL)
CELERY_RESULT_BACKEND = None
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
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 600,
    "max_retries": 0,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
CELERY_TIMEZONE = TIME_ZONE
# Seconds between the sweeps that run "every minute" (lapsed holds, unpaid orders,
# parcels, lost tasks); see the beat schedule in shop/celery.py.
SHOP_SWEEP_SECONDS = env.float("SHOP_SWEEP_SECONDS", default=60)
# Run the beat schedule inside `manage.py runserver` when tasks run in-process (the
# embedded default), so nothing periodic needs a second command there.
SHOP_IN_PROCESS_BEAT = env.bool("SHOP_IN_PROCESS_BEAT", default=True)

# Shop rules that operators may tune.
SHOP_CURRENCY = "CNY"
SHOP_RESERVATION_MINUTES = env.float("SHOP_RESERVATION_MINUTES", default=15)
SHOP_UNPAID_ORDER_MINUTES = env.float("SHOP_UNPAID_ORDER_MINUTES", default=30)
SHOP_RETURN_WINDOW_DAYS = env.int("SHOP_RETURN_WINDOW_DAYS", default=14)
SHOP_LOW_STOCK_DEFAULT = env.int("SHOP_LOW_STOCK_DEFAULT", default=5)
# Seconds public catalog answers are kept in Redis (0: not kept); see catalog/cache.py.
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=10)
SHOP_PUBLIC_URL = env("SHOP_PUBLIC_URL", default="http://127.0.0.1:8000")
SHOP_PAYMENT_PROVIDER = env("SHOP_PAYMENT_PROVIDER", default="fake")

# Carrier: "simulated" (development, demo, tests) or "express" (the express company's API).
SHOP_CARRIER = env("SHOP_CARRIER", default="simulated")
SHOP_SIMULATED_PICKUP_SECONDS = env.int("SHOP_SIMULATED_PICKUP_SECONDS", default=20)
SHOP_SIMULATED_DELIVERY_SECONDS = env.int("SHOP_SIMULATED_DELIVERY_SECONDS", default=90)
SHOP_EXPRESS_BASE_URL = env("SHOP_EXPRESS_BASE_URL", default="")
SHOP_EXPRESS_APP_KEY = env("SHOP_EXPRESS_APP_KEY", default="")
SHOP_EXPRESS_APP_SECRET = env("SHOP_EXPRESS_APP_SECRET", default="")
SHOP_EXPRESS_TIMEOUT_SECONDS = env.int("SHOP_EXPRESS_TIMEOUT_SECONDS", default=5)

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_TIMEOUT_SECONDS = env.int("STRIPE_TIMEOUT_SECONDS", default=10)
# Pay partners through Stripe Connect when a settlement closes (partners need account ids).
PARTNERS_STRIPE_TRANSFERS = env.bool("PARTNERS_STRIPE_TRANSFERS", default=False)

TOKEN_TTL = timedelta(days=30)

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

# Observability and security
# Session clients (admin, partner dashboard) get CSRF refusals in the API's error shape.
CSRF_FAILURE_VIEW = "shop.core.errors.csrf_failure"
# Storefronts on other origins send these headers and may read these answers' headers.
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "idempotency-key",
    "if-none-match",
    "x-channel-key",
    "x-csrftoken",
    "x-request-id",
)
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After", "ETag"]
# Bearer token Prometheus sends to /metrics/; without it the endpoint exists only in DEBUG.
METRICS_TOKEN: str = env("METRICS_TOKEN", default="")
# Celery queues whose waiting tasks /metrics/ reports.
METRICS_CELERY_QUEUES: list[str] = env.list(
    "METRICS_CELERY_QUEUES", default=["default", "fulfillment", "notifications", "reports"]
)
# Proxies in front of the web processes whose X-Forwarded-For the throttles trust (0: none).
THROTTLE_TRUSTED_PROXIES = env.int("THROTTLE_TRUSTED_PROXIES", default=0)
# Workers log through LOGGING above (JSON, request ids, masking), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

"""Settings shared by every environment.

Every value comes from the environment through the one ``env`` object below; the
local, test and production modules only change defaults and demand secrets.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

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
    "imagekit",
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
    "axes",
]

MIDDLEWARE = [
    # First, so every log line, redirect and error answer carries the request id.
    "shop.core.observability.RequestIdMiddleware",
    "shop.core.metrics.MetricsMiddleware",
    # Before all the rest, so every answer and error message is in the request's language.
    "shop.core.i18n.RequestLanguageMiddleware",
    # Unknown /api/ paths answer in the error shape, in the request's language (before
    # CommonMiddleware, so a missing trailing slash is still redirected).
    "shop.core.errors.ApiNotFoundMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Before sessions, authentication and any view: oversized URLs and headers, NUL in
    # URLs and hostile bodies are refused first (after CORS, so browsers can read why).
    "shop.core.request_limits.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.channel, read when a view asks: how the catalog learns the channel without
    # importing the channels, which sit above it.
    "shop.channels.middleware.RequestChannelMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in page's locked attempt into the page asking to wait.
    "axes.middleware.AxesMiddleware",
]

# axes first: a locked sign-in is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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

# Chinese unless a request asks for English (shop/core/i18n.py); "zh-hans" is the name
# under which Django's and DRF's own Chinese catalogs are found.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers the files WhiteNoise serves (the image bakes them in at build).
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))


def media_storage(kind: str) -> dict:
    """Where uploaded files (product pictures and their sizes) are kept: "local", files
    under MEDIA_ROOT given at MEDIA_URL; or "s3", an S3-compatible bucket (AWS S3, Aliyun
    OSS, Tencent COS, MinIO) through django-storages, given at the bucket's or its CDN's
    address."""
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f'MEDIA_STORAGE is "local" or "s3", not "{kind}".')
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            # Empty: boto3 finds credentials itself (instance role, ~/.aws).
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "location": env("AWS_LOCATION", default="media"),
            "default_acl": env("AWS_DEFAULT_ACL", default="") or None,
            # Product pictures are public: signed addresses would differ in every answer
            # and defeat the catalog's caches.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            # Two uploads of "photo.jpg" must not replace each other, as on local disk.
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }


MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
STORAGES = {
    "default": media_storage(MEDIA_STORAGE),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Answer MEDIA_URL from MEDIA_ROOT in the web process (Django's static serve view), for the
# embedded default and a stack without a front proxy. Off where a proxy or the bucket
# serves the files. WhiteNoise serves STATIC_URL either way.
SHOP_SERVE_MEDIA = env.bool("SHOP_SERVE_MEDIA", default=False)
# Product pictures' sizes (catalog/images/sizes.py) are kept under MEDIA_URL/sizes/.
IMAGEKIT_CACHEFILE_DIR = "sizes"

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
    # Bounded in size and depth before parsing, strict after (shop/core/json_body.py).
    "DEFAULT_PARSER_CLASSES": ["shop.core.json_parser.JSONBodyParser"],
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
        # Guest order pages (look-up, tracking, returns, cancelling): per client.
        "order_access": env("THROTTLE_ORDER_ACCESS", default="30/min"),
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
        "ReservationStatusEnum": "shop.orders.holds.ReservationStatus.choices",
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
CELERY_TIMEZONE = TIME_ZONE
# Seconds between the sweeps that run "every minute" (lapsed holds, unpaid orders,
# parcels, lost tasks); see the beat schedule in shop/celery.py.
SHOP_SWEEP_SECONDS = env.float("SHOP_SWEEP_SECONDS", default=60)
# Run the beat schedule inside `manage.py runserver` when tasks run in-process (the
# embedded default), so nothing periodic needs a second command there.
SHOP_IN_PROCESS_BEAT = env.bool("SHOP_IN_PROCESS_BEAT", default=True)

# What a request may carry (shop/core/request_limits.py, shop/core/json_body.py). Keep
# them below gunicorn's own limits (gunicorn.conf.py), so the shop answers, not gunicorn.
SHOP_JSON_BODY_MAX_BYTES = env.int("SHOP_JSON_BODY_MAX_BYTES", default=1_048_576)
SHOP_JSON_MAX_DEPTH = env.int("SHOP_JSON_MAX_DEPTH", default=32)
SHOP_URL_MAX_BYTES = env.int("SHOP_URL_MAX_BYTES", default=4096)
SHOP_HEADER_MAX_BYTES = env.int("SHOP_HEADER_MAX_BYTES", default=8192)
SHOP_HEADERS_MAX_COUNT = env.int("SHOP_HEADERS_MAX_COUNT", default=60)
SHOP_HEADERS_MAX_TOTAL_BYTES = env.int("SHOP_HEADERS_MAX_TOTAL_BYTES", default=32_768)

# The higher domains' answers to the selling code's calls (shop/core/hooks.py), in the
# order they are told.
SHOP_HOOKS = [
    "shop.checkout.hooks.CheckoutHooks",
    "fulfillment.hooks.FulfillmentHooks",
    "partners.hooks.PartnerHooks",
]

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
# Hours an unpaid order and its stock are held for staff once its payment is held for
# review (the provider confirmed another amount or currency).
SHOP_PAYMENT_REVIEW_HOLD_HOURS = env.float("SHOP_PAYMENT_REVIEW_HOLD_HOURS", default=72)
# Hours after which a refund still pending at the provider is reported by check_invariants.
SHOP_REFUND_PENDING_ALERT_HOURS = env.float("SHOP_REFUND_PENDING_ALERT_HOURS", default=72)

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

# Sign-in limits for the API, the admin and the partner dashboard (why these keys:
# shop/accounts/sign_in_limits.py). Wrong passwords for one account from one client
# before that pair must wait; wrong passwords for one account from clients it has never
# signed in from before the account waits for them; how long a wait lasts; how long a
# client that signed in stays known to the account.
SIGN_IN_FAILURES_PER_CLIENT = env.int("SIGN_IN_FAILURES_PER_CLIENT", default=5)
SIGN_IN_FAILURES_PER_ACCOUNT = env.int("SIGN_IN_FAILURES_PER_ACCOUNT", default=20)
SIGN_IN_COOL_OFF_MINUTES = env.float("SIGN_IN_COOL_OFF_MINUTES", default=15)
SIGN_IN_KNOWN_CLIENT_DAYS = env.float("SIGN_IN_KNOWN_CLIENT_DAYS", default=30)
AXES_HANDLER = "shop.accounts.sign_in_limits.SignInLockHandler"
AXES_FAILURE_LIMIT = SIGN_IN_FAILURES_PER_CLIENT
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_COOL_OFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "shop.accounts.sign_in_limits.sign_in_account"
AXES_CLIENT_IP_CALLABLE = "shop.core.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "shop.accounts.sign_in_pages.sign_in_locked_response"
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lock are not counted: a lock ends a cool-off after it began,
# however often the locked pair tries meanwhile (its password is not checked then).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Counts live in the cache; the database tables axes brings stay empty, so no admin pages.
AXES_ENABLE_ADMIN = False
AXES_CACHE = "default"

# Guest order pages: wrong e-mails for one order number, from anyone, before guests
# must wait for that number, and how long (shop/orders/guest_access.py).
GUEST_ORDER_FAILURES_PER_ORDER = env.int("GUEST_ORDER_FAILURES_PER_ORDER", default=10)
GUEST_ORDER_COOL_OFF_MINUTES = env.float("GUEST_ORDER_COOL_OFF_MINUTES", default=60)
# Workers log through LOGGING above (JSON, request ids, masking), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

"""Django itself: the apps, the middleware, templates, passwords, languages, e-mail."""

from datetime import timedelta

from .environment import BASE_DIR, env

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
    # Only for the migration that carried its plain tokens over to hashed device tokens.
    "rest_framework.authtoken",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "imagekit",
    "simple_history",
    # Date-range filters on the admin's long lists (orders, payments, movements, ...).
    "rangefilter",
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
    # After authentication: the signed-in user is the author of the history rows the
    # request writes (DRF's token users too, set on the request when a view runs).
    "simple_history.middleware.HistoryRequestMiddleware",
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

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="shop@example.com")

# How long a device's API token lives after sign-in (django-rest-knox, per device,
# stored hashed: shop/accounts/tokens.py). Signing in again gives a fresh one.
TOKEN_TTL = timedelta(hours=env.float("TOKEN_TTL_HOURS", default=30 * 24))
KNOX_TOKEN_MODEL = "accounts.DeviceToken"
# knox's own token table is replaced by accounts.DeviceToken: its migrations would still
# create it (a table nobody uses, whose key on users blocks the tests' flush).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": TOKEN_TTL,
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# Devices one account may keep signed in; signing in on one more signs out the oldest.
TOKEN_DEVICES_PER_USER = env.int("TOKEN_DEVICES_PER_USER", default=20)

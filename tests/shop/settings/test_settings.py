"""Settings per environment, checked in fresh interpreters with a controlled environment."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]

# A developer's .env must not leak into these checks, so the settings' read of it is
# switched off before Django loads them.
NO_DOT_ENV = "import environ; environ.Env.read_env = classmethod(lambda *a, **k: None); "

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://shop:secret@db.example.com:5432/shop",
    "REDIS_URL": "redis://redis.example.com:6379/0",
}


def _run(code: str, settings: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": settings,
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "-c", NO_DOT_ENV + code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _manage(args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "from django.core.management import execute_from_command_line; "
        f"execute_from_command_line(['manage.py', {', '.join(repr(a) for a in args.split())}])"
    )
    return _run(code, "shop.settings.production", env)


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = {name: value for name, value in PRODUCTION_ENV.items() if name != missing}

    result = _run("import django; django.setup()", "shop.settings.production", env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_refuses_to_start_with_an_empty_environment():
    result = _run("import django; django.setup()", "shop.settings.production", {})

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the DJANGO_SECRET_KEY environment variable" in (result.stderr)


def test_production_settings_pass_the_deploy_security_checks():
    result = _manage("check --deploy --tag security --fail-level WARNING", PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_deploy_check_passes():
    """Every check, the API schema's included: a schema warning fails deployment too."""
    result = _manage("check --deploy --fail-level WARNING", PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_values():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], "
        "'hosts': s.ALLOWED_HOSTS, 'cache': s.CACHES['default']['BACKEND'], "
        "'broker': s.CELERY_BROKER_URL, 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
        "'exempt': s.SECURE_REDIRECT_EXEMPT, 'email_timeout': s.EMAIL_TIMEOUT, "
        "'media': s.STORAGES['default']['BACKEND'], 'serve_media': s.SHOP_SERVE_MEDIA}))"
    )

    result = _run(code, "shop.settings.production", {**PRODUCTION_ENV, "DJANGO_DEBUG": "true"})

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "debug": False,
        "engine": "shop.core.postgresql",
        "hosts": ["shop.example.com"],
        "cache": "shop.core.cache.TolerantRedisCache",
        "broker": "redis://redis.example.com:6379/0",
        "eager": False,
        "exempt": ["^health/", "^metrics/$"],
        "email_timeout": 10,
        "media": "django.core.files.storage.FileSystemStorage",
        "serve_media": False,
    }


def test_local_settings_with_an_empty_environment_use_sqlite_and_in_process_tasks():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
        "'name': str(s.DATABASES['default']['NAME']), 'debug': s.DEBUG, "
        "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, "
        "'cache': s.CACHES['default']['BACKEND'], 'redis': s.REDIS_URL, "
        "'serve_media': s.SHOP_SERVE_MEDIA}))"
    )

    result = _run(code, "shop.settings.local", {})

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.sqlite3",
        "name": str(REPO / "db.sqlite3"),
        "debug": True,
        "eager": True,
        "broker": "memory://",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "redis": "",
        "serve_media": True,
    }


MEDIA_URL_OF = (
    "from django.core.files.storage import default_storage; "
    "print(default_storage.url('products/fan/front view.jpg'))"
)


@pytest.mark.parametrize(
    ("bucket_env", "url"),
    [
        (
            {
                "AWS_S3_ENDPOINT_URL": "https://oss-cn-beijing.aliyuncs.com",
                "AWS_S3_REGION_NAME": "oss-cn-beijing",
                "AWS_S3_ADDRESSING_STYLE": "virtual",
                "AWS_ACCESS_KEY_ID": "access-key",
                "AWS_SECRET_ACCESS_KEY": "secret-key",
            },
            "https://shop-media.oss-cn-beijing.aliyuncs.com/media/products/fan/front%20view.jpg",
        ),
        (
            {"AWS_S3_CUSTOM_DOMAIN": "img.example.com", "AWS_LOCATION": "shop"},
            "https://img.example.com/shop/products/fan/front%20view.jpg",
        ),
    ],
)
def test_media_in_an_s3_compatible_bucket_is_given_at_the_bucket_address(bucket_env, url):
    env = {
        **PRODUCTION_ENV,
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "shop-media",
        **bucket_env,
    }

    result = _run("import django; django.setup(); " + MEDIA_URL_OF, "shop.settings.production", env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == url


def test_media_in_a_bucket_needs_the_bucket_name():
    env = {**PRODUCTION_ENV, "MEDIA_STORAGE": "s3"}

    result = _run("import django; django.setup()", "shop.settings.production", env)

    assert result.returncode != 0
    assert "Set the AWS_STORAGE_BUCKET_NAME environment variable" in result.stderr


def test_media_storage_is_local_or_s3():
    env = {**PRODUCTION_ENV, "MEDIA_STORAGE": "ftp"}

    result = _run("import django; django.setup()", "shop.settings.production", env)

    assert result.returncode != 0
    assert 'MEDIA_STORAGE is "local" or "s3", not "ftp".' in result.stderr


def _settings_variables() -> set[str]:
    pattern = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"")
    names: set[str] = set()
    for path in (REPO / "shop" / "settings").rglob("*.py"):
        names |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_env_example_lists_every_variable_the_settings_read():
    listed = set(
        re.findall(
            r"^#?\s*([A-Z][A-Z0-9_]*)=",
            (REPO / ".env.example").read_text(encoding="utf-8"),
            flags=re.MULTILINE,
        )
    )

    variables = _settings_variables()

    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= variables
    assert variables - listed == set()


def test_compose_runs_web_worker_beat_and_migrate_from_one_image():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]

    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    app = ("migrate", "collectstatic", "web", "worker", "beat")
    assert {services[name]["image"] for name in app} == {"coshop:latest"}
    assert all(services[name]["env_file"] == ".env" for name in app)
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert "-Q default,fulfillment,notifications,reports" in " ".join(services["worker"]["command"])
    assert services["beat"]["command"][:5] == ["celery", "-A", "shop", "beat", "-l"]
    for name in ("db", "redis", "web", "worker", "beat"):
        assert "test" in services[name]["healthcheck"]

"""docker-compose.yml says what tests/journeys/test_proxied_stack.py runs: each
service's command, healthcheck, dependencies and volumes, as the stack test reads and
runs them (tests/journeys/proxied_stack.py), without a container engine here."""

from __future__ import annotations

import configparser
import re

import pytest

from tests.journeys.proxied_stack import (
    NGINX_TEMPLATE,
    PGBOUNCER_INI,
    ROOT,
    VOLUME_PATHS,
    compose_services,
)

SERVICES = compose_services()
AFTER_MIGRATE = {
    "pgbouncer": {"condition": "service_healthy"},
    "redis": {"condition": "service_healthy"},
    "cache": {"condition": "service_healthy"},
    "migrate": {"condition": "service_completed_successfully"},
}
HEARTBEAT = ["CMD", "python", "scripts/heartbeat_check.py"]

# service: (command, healthcheck test, depends_on, volumes)
EXPECTED = {
    "migrate": (
        ["python", "manage.py", "migrate", "--noinput"],
        None,
        {"db": {"condition": "service_healthy"}},
        None,
    ),
    "collectstatic": (
        ["python", "manage.py", "collectstatic", "--noinput", "--clear"],
        None,
        None,
        ["static:/app/staticfiles"],
    ),
    "web": (
        [
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "shop.wsgi:application",
            "--bind",
            "0.0.0.0:8000",
        ],
        "http://127.0.0.1:8000/health/ready/",
        AFTER_MIGRATE,
        ["media:/app/media", "private:/app/private", "static:/app/staticfiles:ro"],
    ),
    "worker": (
        [
            "celery",
            "-A",
            "shop",
            "worker",
            "-l",
            "info",
            "-Q",
            "default,fulfillment,notifications,reports",
        ],
        [*HEARTBEAT, "worker", "--max-age", "60"],
        AFTER_MIGRATE,
        ["media:/app/media", "private:/app/private"],
    ),
    "beat": (
        ["celery", "-A", "shop", "beat", "-l", "info", "--schedule", "/tmp/celerybeat-schedule"],
        [*HEARTBEAT, "beat", "--max-age", "120"],
        AFTER_MIGRATE,
        None,
    ),
    "redis": (
        ["redis-server", "--appendonly", "yes", "--maxmemory-policy", "noeviction"],
        ["CMD", "redis-cli", "ping"],
        None,
        ["redisdata:/data"],
    ),
    "cache": (
        [
            "redis-server",
            "--save",
            "",
            "--appendonly",
            "no",
            "--maxmemory",
            "256mb",
            "--maxmemory-policy",
            "allkeys-lru",
        ],
        ["CMD", "redis-cli", "ping"],
        None,
        None,
    ),
    "proxy": (
        ["nginx", "-g", "daemon off;"],
        ["CMD", "curl", "-fso", "/dev/null", "http://127.0.0.1:80/"],
        {
            "web": {"condition": "service_healthy"},
            "collectstatic": {"condition": "service_completed_successfully"},
        },
        [
            "./deploy/nginx/shop.conf.template:/etc/nginx/templates/shop.conf.template:ro",
            "./deploy/tls:/etc/nginx/tls:ro",
            "static:/srv/static:ro",
            "media:/srv/media:ro",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_service_runs_and_checks_what_the_stack_test_ran(name):
    service = SERVICES[name]
    command, healthcheck, depends_on, volumes = EXPECTED[name]
    assert service["command"] == command
    test = (service.get("healthcheck") or {}).get("test")
    if isinstance(healthcheck, str):  # the web's readiness probe, a Python one-liner
        assert test[:3] == ["CMD", "python", "-c"]
        assert healthcheck in test[3]
    else:
        assert test == healthcheck
    assert service.get("depends_on") == depends_on
    assert service.get("volumes") == volumes


def test_every_volume_of_the_shop_services_is_a_path_the_stack_test_maps():
    for name in ("collectstatic", "web", "worker"):
        for volume in SERVICES[name]["volumes"]:
            path = volume.split(":")[1]
            assert path in VOLUME_PATHS, f"{name}: {path} is not mapped by the stack test"
    assert SERVICES["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"] in VOLUME_PATHS


def test_web_and_worker_go_through_pgbouncer_while_migrate_and_beat_do_not():
    for name in ("web", "worker"):
        assert SERVICES[name]["environment"]["DATABASE_POOLER"] == "transaction"
        assert "DATABASE_URL" not in SERVICES[name]["environment"]
    for name in ("migrate", "beat"):
        assert SERVICES[name]["environment"]["DATABASE_POOLER"] == ""
        assert SERVICES[name]["environment"]["DATABASE_URL"].startswith("${DATABASE_DIRECT_URL")


def test_pgbouncer_runs_the_committed_configuration_in_transaction_mode():
    pgbouncer = SERVICES["pgbouncer"]
    assert pgbouncer["volumes"] == [
        "./deploy/pgbouncer/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro"
    ]
    assert pgbouncer["command"][-1].endswith("exec pgbouncer /etc/pgbouncer/pgbouncer.ini")
    assert pgbouncer["depends_on"] == {"db": {"condition": "service_healthy"}}
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(PGBOUNCER_INI)
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert ini["pgbouncer"]["auth_file"] == "/tmp/userlist.txt"
    assert ini["databases"]["*"] == "host=db port=5432"


def test_the_proxy_fills_every_value_of_its_template_from_its_environment():
    template = NGINX_TEMPLATE.read_text()
    wanted = set(re.findall(r"\$\{([A-Z0-9_]+)\}", template))
    assert wanted == set(SERVICES["proxy"]["environment"])
    assert (ROOT / "deploy" / "nginx" / "shop.conf.template").is_file()

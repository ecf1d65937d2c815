"""The production stack of docker-compose.yml on real processes, without a container
engine: nginx terminating TLS (a self-signed certificate made here), gunicorn behind it,
a Celery worker and beat, PgBouncer in transaction mode in front of PostgreSQL, a Redis
for the broker and one for the cache.

The shop's services run the ``command`` and ``environment`` docker-compose.yml gives
them, read from the file, with the container's addresses and paths made local
(:meth:`ProxiedStack.localized`); their healthchecks are run the same way. nginx runs
deploy/nginx/shop.conf.template and PgBouncer deploy/pgbouncer/pgbouncer.ini, with only
the ports, paths and authentication changed. tests/journeys/test_compose.py checks
that the compose file says what is run here.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import psycopg
import redis
import requests
import yaml

from tests.journeys.stacks import BIN, ROOT, Stack, database_create, scrubbed_environment

COMPOSE = ROOT / "docker-compose.yml"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "shop.conf.template"
PGBOUNCER_INI = ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini"
# The programs this stack needs beyond the shop's own (Debian packages; .ci/run installs
# them when it can).
PROGRAMS = ("nginx", "pgbouncer", "redis-server", "redis-cli", "openssl", "curl")
# Where the containers keep what the compose volumes hold, and where this stack does.
VOLUME_PATHS = {
    "/app/media": "media",
    "/app/private": "private",
    "/app/staticfiles": "static",
    "/tmp/prometheus": "prometheus",
}


def missing_programs() -> list[str]:
    return [name for name in PROGRAMS if shutil.which(name) is None]


def compose_services() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]


def port_from(variable: str) -> int:
    """The first free port of the range ``variable`` names (e.g. ``8140-8159``: the
    ports given to this test run), or any free port when it is not set."""
    spec = os.environ.get(variable, "")
    if not spec:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])
    first, _, last = spec.partition("-")
    for port in range(int(first), int(last or first) + 1):
        if port in _taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port
    raise RuntimeError(f"no free port in {variable}={spec}")


_taken: set[int] = set()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1."""
    certificate, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return certificate, key


def template_fill(text: str, values: dict[str, str]) -> str:
    """``${NAME}`` replaced as the nginx image's envsubst does; ``$name`` (nginx's own
    variables) left alone. A name without a value is an error, not an empty string."""

    def value(match: re.Match) -> str:
        return values[match.group(1)]

    return re.sub(r"\$\{([A-Z0-9_]+)\}", value, text)


class ProxiedStack(Stack):
    """docker-compose.yml's services on this machine, reached over HTTPS through nginx."""

    name = "proxied"

    def __init__(self, workdir: Path, *, database_url: str) -> None:
        super().__init__(workdir)
        self.database_url = database_url  # PostgreSQL itself: DATABASE_DIRECT_URL
        self.services = compose_services()
        self.ports = {
            "web": port_from("JOURNEY_WEB_PORTS"),
            "http": port_from("JOURNEY_WEB_PORTS"),
            "https": port_from("JOURNEY_WEB_PORTS"),
            "redis": port_from("JOURNEY_REDIS_PORTS"),
            "cache": port_from("JOURNEY_REDIS_PORTS"),
            "pgbouncer": port_from("JOURNEY_PGBOUNCER_PORTS"),
        }
        self.base_url = f"https://localhost:{self.ports['https']}"
        self.http_url = f"http://localhost:{self.ports['http']}"
        self.certificate = workdir / "tls" / "fullchain.pem"
        self.ran: dict[str, list[str]] = {}

    # What the compose file says, made local

    def dot_env(self) -> dict[str, str]:
        """The .env file of this stack (.env.example's variables, for this machine)."""
        params = psycopg.conninfo.conninfo_to_dict(self.database_url)
        pooled = self.database_url.replace(
            f":{params.get('port', 5432)}/", f":{self.ports['pgbouncer']}/"
        )
        return {
            "DJANGO_SETTINGS_MODULE": "shop.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "DJANGO_CSRF_TRUSTED_ORIGINS": self.base_url,
            "DATABASE_URL": pooled,
            "DATABASE_DIRECT_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "CACHE_URL": f"redis://127.0.0.1:{self.ports['cache']}/0",
            "MEDIA_ROOT": str(self.workdir / "media"),
            "SHOP_PRIVATE_ROOT": str(self.workdir / "private"),
            "STATIC_ROOT": str(self.workdir / "static"),
            "SHOP_PUBLIC_URL": self.base_url,
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "LOG_FORMAT": "plain",
            "CELERY_WORKER_CONCURRENCY": "2",
            "SHOP_HEARTBEAT_SECONDS": "1",
        }

    def interpolated(self, value: str, dot_env: dict[str, str]) -> str:
        """compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?message}``."""

        def value_of(match: re.Match) -> str:
            name, _, default = match.group(1).partition(":-")
            name = name.partition(":?")[0]
            return dot_env.get(name, default)

        return re.sub(r"\$\{([^}]+)\}", value_of, value)

    def localized(self, argument: str) -> str:
        """A container's address or path as it is on this machine."""
        if argument in ("python", "gunicorn", "celery"):
            return str(BIN / argument)
        for path, local in VOLUME_PATHS.items():
            argument = argument.replace(path, str(self.workdir / local))
        argument = argument.replace("/tmp/celerybeat-schedule", str(self.workdir / "beat"))
        argument = argument.replace("0.0.0.0:8000", f"127.0.0.1:{self.ports['web']}")
        argument = argument.replace("127.0.0.1:8000", f"127.0.0.1:{self.ports['web']}")
        return argument.replace("127.0.0.1:80/", f"127.0.0.1:{self.ports['http']}/")

    def service_environment(self, name: str, dot_env: dict[str, str]) -> dict[str, str]:
        own = {
            key: self.localized(self.interpolated(str(value), dot_env))
            for key, value in (self.services[name].get("environment") or {}).items()
        }
        heartbeats = str(self.workdir / f"heartbeat-{name}")
        return scrubbed_environment(**{**dot_env, "SHOP_HEARTBEAT_DIR": heartbeats, **own})

    def service_command(self, name: str) -> list[str]:
        command = [self.localized(argument) for argument in self.services[name]["command"]]
        self.ran[name] = list(self.services[name]["command"])
        return command

    def healthy(self, name: str) -> bool:
        """The service's compose healthcheck, run here; whether it passed."""
        test = list(self.services[name]["healthcheck"]["test"])
        kind, arguments = test[0], test[1:]
        assert kind == "CMD", f"{name}: a CMD healthcheck is run here, not {kind}"
        command = [self.localized(argument) for argument in arguments]
        if command[0] == "redis-cli":
            command[1:1] = ["-p", str(self.ports[name])]
        env = self.service_environment(name, self.dot_env_values)
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, timeout=60, check=False
        )
        return result.returncode == 0

    # Starting

    def start(self) -> None:
        self.dot_env_values = dot_env = self.dot_env()
        for folder in ("media", "private", "static", "prometheus", "tls", "nginx", "redis"):
            (self.workdir / folder).mkdir(exist_ok=True)
        self_signed_certificate(self.workdir / "tls")
        database_create(self.database_url)
        self._redis_start("redis")
        self._redis_start("cache")
        self._pgbouncer_start()
        python = str(BIN / "python")
        self._run(
            "migrate", self.service_command("migrate"), self.service_environment("migrate", dot_env)
        )
        collecting = self._spawn(
            "collectstatic",
            self.service_command("collectstatic"),
            self.service_environment("collectstatic", dot_env),
        )
        keys = self.workdir / "channel-keys.json"
        self._run(
            "load-demo",
            [python, "manage.py", "load_demo", "--keys-file", str(keys)],
            self.service_environment("migrate", dot_env),
        )
        self._finished("collectstatic", collecting)
        self.channel_keys = json.loads(keys.read_text())
        for name in ("web", "worker", "beat"):
            self._spawn(name, self.service_command(name), self.service_environment(name, dot_env))
        self._nginx_start()
        self._wait_until("serving", self._serving)
        for name in ("web", "worker", "beat", "proxy", "redis", "cache"):
            self._wait_until(f"{name} healthy", lambda name=name: self.healthy(name), seconds=120)

    def _redis_start(self, name: str) -> None:
        command = [self.localized(argument) for argument in self.services[name]["command"]]
        self.ran[name] = list(self.services[name]["command"])
        directory = self.workdir / "redis" / name
        directory.mkdir()
        command += ["--port", str(self.ports[name]), "--bind", "127.0.0.1", "--dir", str(directory)]
        self._spawn(name, [shutil.which("redis-server") or "redis-server", *command[1:]], {})
        client = redis.Redis(port=self.ports[name])
        self._wait_until(f"{name} answering", lambda: _redis_answers(client), seconds=30)

    def _pgbouncer_start(self) -> None:
        """deploy/pgbouncer/pgbouncer.ini, with this machine's addresses and trust (the
        test server asks no password); a directory others may read, as PgBouncer will
        not run as root and drops to nobody."""
        ini = configparser.ConfigParser(interpolation=None)
        ini.read(PGBOUNCER_INI)
        params = psycopg.conninfo.conninfo_to_dict(self.database_url)
        host, port = params.get("host", "127.0.0.1"), params.get("port", 5432)
        ini["databases"]["*"] = f"host={host} port={port}"
        directory = self.pgbouncer_directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
        directory.chmod(0o755)
        users = directory / "userlist.txt"
        users.write_text(f'"{params.get("user", "postgres")}" ""\n')
        settings = ini["pgbouncer"]
        settings.update(
            listen_addr="127.0.0.1",
            listen_port=str(self.ports["pgbouncer"]),
            auth_type="trust",
            auth_file=str(users),
            admin_users=str(params.get("user", "postgres")),
        )
        path = directory / "pgbouncer.ini"
        with path.open("w") as sink:
            ini.write(sink)
        for written in (users, path):
            written.chmod(0o644)
        command = [shutil.which("pgbouncer") or "pgbouncer"]
        if os.geteuid() == 0:
            command += ["-u", "nobody"]
        self._spawn("pgbouncer", [*command, str(path)], {})
        self._wait_until("pgbouncer answering", self._pgbouncer_answers, seconds=30)

    def _pgbouncer_answers(self) -> bool:
        try:
            self.pgbouncer_show("VERSION")
        except psycopg.OperationalError:
            return False
        return True

    def pgbouncer_show(self, what: str) -> list[dict[str, Any]]:
        """``SHOW <what>`` on PgBouncer's admin console."""
        params = psycopg.conninfo.conninfo_to_dict(self.database_url)
        with psycopg.connect(
            host="127.0.0.1",
            port=self.ports["pgbouncer"],
            user=str(params.get("user", "postgres")),
            dbname="pgbouncer",
            autocommit=True,
            prepare_threshold=None,
            connect_timeout=5,
        ) as admin:
            cursor = admin.execute(f"SHOW {what}")  # an admin console command, no input
            columns = [column.name for column in cursor.description or ()]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def _nginx_start(self) -> None:
        proxy = self.services["proxy"]
        values = {
            key: self.interpolated(str(value), {"SHOP_PUBLIC_URL": self.base_url})
            for key, value in proxy["environment"].items()
        }
        values.update(
            SHOP_WEB_UPSTREAM=f"127.0.0.1:{self.ports['web']}",
            SHOP_HTTP_PORT=str(self.ports["http"]),
            SHOP_HTTPS_PORT=str(self.ports["https"]),
            SHOP_TLS_CERTIFICATE=str(self.certificate),
            SHOP_TLS_KEY=str(self.workdir / "tls" / "privkey.pem"),
            SHOP_STATIC_ROOT=str(self.workdir / "static"),
            SHOP_MEDIA_ROOT=str(self.workdir / "media"),
        )
        prefix = self.workdir / "nginx"
        (prefix / "shop.conf").write_text(template_fill(NGINX_TEMPLATE.read_text(), values))
        user = "user root root;\n" if os.geteuid() == 0 else ""
        mime = "/etc/nginx/mime.types"
        (prefix / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log stderr info;\n"
            "events { worker_connections 256; }\n"
            f"http {{\n  include {mime};\n  default_type application/octet-stream;\n"
            f"  access_log {prefix}/access.log;\n"
            + "".join(
                f"  {kind}_temp_path {prefix}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  include {prefix}/shop.conf;\n}}\n"
        )
        command = [self.localized(argument) for argument in proxy["command"]]
        self.ran["proxy"] = list(proxy["command"])
        nginx = shutil.which("nginx") or "nginx"
        self._spawn(
            "proxy", [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), *command[1:]], {}
        )

    def _serving(self) -> bool:
        try:
            answer = requests.get(
                f"{self.base_url}/health/ready/", timeout=5, verify=str(self.certificate)
            )
        except requests.RequestException:
            return False
        return answer.status_code == 200

    def stop(self) -> None:
        super().stop()
        directory = getattr(self, "pgbouncer_directory", None)
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    # While it runs

    def redis_stop(self, name: str) -> None:
        """Stop one of the stack's Redis servers (a Redis blip), as a crash would."""
        process = self._processes[name]
        process.kill()
        process.wait(timeout=10)
        with self._lock:
            del self._processes[name]

    def beat_second_start(self) -> Path:
        """A second beat, started by mistake beside the first; its heartbeat directory."""
        env = self.service_environment("beat", self.dot_env_values)
        env["SHOP_HEARTBEAT_DIR"] = str(self.workdir / "heartbeat-beat-2")
        command = self.service_command("beat")
        command[command.index(str(self.workdir / "beat"))] = str(self.workdir / "beat-2")
        self._spawn("beat-2", command, env)
        return Path(env["SHOP_HEARTBEAT_DIR"])


def _redis_answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False

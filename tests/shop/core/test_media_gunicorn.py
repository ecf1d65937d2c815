"""Product pictures under gunicorn with the production settings, as on the compose stack:
answered by the shop itself with SHOP_SERVE_MEDIA, left to a proxy or bucket without."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image

from tests.waiting import wait_until

REPO = Path(__file__).resolve().parents[3]
# A developer's .env must not leak into the server's settings.
START = (
    "import sys, environ; environ.Env.read_env = classmethod(lambda *a, **k: None); "
    "from gunicorn.app.wsgiapp import run; sys.argv = ['gunicorn', *sys.argv[1:]]; run()"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@contextmanager
def gunicorn(media_root: Path, **extra_env: str) -> Iterator[str]:
    """The shop under gunicorn with the production settings; yields its address."""
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "shop.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "shop.example.com",
        "DATABASE_URL": f"sqlite:///{media_root.parent / 'unused.sqlite3'}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "MEDIA_ROOT": str(media_root),
        **extra_env,
    }
    process = subprocess.Popen(
        [sys.executable, "-c", START, "shop.wsgi:application", "--bind", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_until(lambda: _listening(port) or process.poll() is not None, seconds=60)
        if process.poll() is not None or not _listening(port):
            _, errors = process.communicate(timeout=5)
            pytest.fail(f"gunicorn did not start: {errors.decode()[-2000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    # As the TLS-terminating proxy sends it, so the HTTPS redirect lets it through.
    request = urllib.request.Request(
        url, headers={"Host": "shop.example.com", "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def stored_picture(tmp_path) -> tuple[Path, bytes]:
    media_root = tmp_path / "media"
    (media_root / "products" / "fan").mkdir(parents=True)
    path = media_root / "products" / "fan" / "front.jpg"
    Image.new("RGB", (64, 48), "#a4302a").save(path, format="JPEG")
    return media_root, path.read_bytes()


def test_gunicorn_answers_pictures_with_shop_serve_media(stored_picture):
    media_root, content = stored_picture

    with gunicorn(media_root, SHOP_SERVE_MEDIA="true") as address:
        status, headers, body = _get(f"{address}/media/products/fan/front.jpg")
        missing, _, _ = _get(f"{address}/media/products/fan/back.jpg")
        outside, _, _ = _get(f"{address}/media/%2e%2e/manage.py")

    assert (status, headers["Content-Type"], body) == (200, "image/jpeg", content)
    assert headers["Cache-Control"] == "public, max-age=86400"
    # A path out of MEDIA_ROOT is a suspicious request: refused as a bad one.
    assert (missing, outside) == (404, 400)


def test_gunicorn_leaves_pictures_to_the_proxy_by_default(stored_picture):
    media_root, _ = stored_picture

    with gunicorn(media_root) as address:
        status, _, _ = _get(f"{address}/media/products/fan/front.jpg")

    assert status == 404

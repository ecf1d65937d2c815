"""Sign-in limits on the embedded default (SQLite, the cache in process memory), run in a
fresh interpreter with the local settings, as ``make run`` serves the shop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

_SCRIPT = """
import environ; environ.Env.read_env = classmethod(lambda *a, **k: None)
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
from rest_framework.test import APIClient

setup_test_environment()
call_command("migrate", verbosity=0)
from shop.accounts.models import User

for email in ("alice@example.com", "bob@example.com", "carol@example.com"):
    User.objects.create_user(email, "correct-horse-battery", is_staff=True)
HOME, OFFICE = "198.51.100.10", "198.51.100.20"


def api(email, password="wrong", address=HOME):
    return APIClient().post(
        "/api/v1/auth/sign-in/", {"email": email, "password": password},
        format="json", REMOTE_ADDR=address,
    )


answers = [api("alice@example.com") for _ in range(5)]
answers.append(api("alice@example.com", "correct-horse-battery"))
admin = [
    Client().post(
        "/admin/login/", {"username": "carol@example.com", "password": "wrong"},
        REMOTE_ADDR=OFFICE,
    )
    for _ in range(5)
]
print(json.dumps({
    "cache": settings.CACHES["default"]["BACKEND"],
    "engine": settings.DATABASES["default"]["ENGINE"],
    "api": [a.status_code for a in answers],
    "api_code": answers[-1].json()["code"],
    "other_account_same_client": api("bob@example.com", "correct-horse-battery").status_code,
    "same_account_other_client": api(
        "alice@example.com", "correct-horse-battery", OFFICE
    ).status_code,
    "admin": [a.status_code for a in admin],
    "admin_page": admin[-1]["Content-Type"],
}))
"""


def run_embedded_sign_in() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "DJANGO_SETTINGS_MODULE": "shop.settings.local",
            "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
            "SHOP_IN_PROCESS_BEAT": "false",
        }
        result = subprocess.run(
            [sys.executable, "-c", _SCRIPT],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])

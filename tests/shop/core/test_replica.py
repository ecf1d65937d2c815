"""Partners' reports and exports read a replica when DATABASE_REPLICA_URL names one;
everything else, and every read inside a transaction on the primary, reads the primary.
The replica here is the test database itself under the alias ``replica``, in a process
of its own started with the setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests import celery_workers
from tests.celery_workers import ROOT

SCRIPT = """
import json, django
django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS = ["testserver"]
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from django.contrib.auth import get_user_model
from partners.models import Partner
from shop.core.replica import replica_reads

def count(run):
    with CaptureQueriesContext(connections["default"]) as primary, \\
            CaptureQueriesContext(connections["replica"]) as replica:
        run()
    return {"primary": len(primary), "replica": len(replica)}

def inside_block():
    with replica_reads():
        list(Partner.objects.all())

def own_write_then_read():
    with replica_reads(), transaction.atomic():
        Partner.objects.filter(code="museum").update(name_en="Museum")
        Partner.objects.get(code="museum")

def report():
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(email="%(email)s"))
    assert client.get("/api/v1/partners/reports/summary/").status_code == 200

print(json.dumps({
    "settings": sorted(settings.DATABASES),
    "outside": count(lambda: list(Partner.objects.all())),
    "inside": count(inside_block),
    "own_write": count(own_write_then_read),
    "report": count(report),
}))
"""


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_reports_read_the_replica_and_own_writes_stay_on_the_primary(museum):
    from tests import factories

    viewer = factories.PartnerMembershipFactory(partner=museum).user
    url = celery_workers.test_database_url()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings.test",
        "DATABASE_URL": url,
        "DATABASE_REPLICA_URL": url,
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT % {"email": viewer.email}],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout.strip().splitlines()[-1])

    assert counts["settings"] == ["default", "replica"]
    assert counts["outside"] == {"primary": 1, "replica": 0}
    assert counts["inside"] == {"primary": 0, "replica": 1}
    # BEGIN, the update, the read, COMMIT are not all counted, but none reached the replica.
    assert counts["own_write"]["replica"] == 0
    assert counts["own_write"]["primary"] >= 2
    assert counts["report"]["replica"] > 0


def test_without_a_replica_nothing_is_routed(settings):
    from shop.core.replica import ReplicaRouter, replica_reads

    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert ReplicaRouter().db_for_read(None) is None

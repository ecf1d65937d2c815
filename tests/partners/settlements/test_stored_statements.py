"""A closed month's statement files are rendered once, when it closes, stored through
Django's storage API, and the downloads stream the stored files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from partners.models import Settlement
from partners.settlements.closing import settlement_close
from partners.settlements.stored_statements import (
    statement_storage,
    statement_stored_name,
)
from tests import factories
from tests.conftest import client_for
from tests.factories.ledger import SHANGHAI

pytestmark = pytest.mark.django_db

JUNE_3 = dt.datetime(2025, 6, 3, 9, tzinfo=SHANGHAI)


def may_of(partner) -> Settlement:
    return Settlement.objects.get(partner=partner, period=dt.date(2025, 5, 1))


def viewer_of(partner):
    return client_for(factories.PartnerMembershipFactory(partner=partner).user)


def test_closing_stores_the_three_files_once(
    order_paid_in_may, museum, django_capture_on_commit_callbacks
):
    settlement = may_of(museum)
    with django_capture_on_commit_callbacks(execute=True):
        settlement_close(settlement_id=settlement.pk, now=JUNE_3)

    storage = statement_storage()
    names = [statement_stored_name(settlement, fmt) for fmt in ("csv", "xlsx", "pdf")]
    assert [storage.exists(name) for name in names] == [True, True, True]
    assert "ST-MUSEUM-202505" in storage.open(names[0]).read().decode("utf-8-sig")
    assert storage.open(names[1]).read()[:2] == b"PK"
    assert storage.open(names[2]).read()[:5] == b"%PDF-"
    # Closing again (the task sent twice) stores nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        settlement_close(settlement_id=settlement.pk, now=JUNE_3)
    assert sorted(storage.listdir(f"statements/{museum.pk}")[1]) == [
        "ST-MUSEUM-202505.csv",
        "ST-MUSEUM-202505.pdf",
        "ST-MUSEUM-202505.xlsx",
    ]


def test_a_download_of_a_closed_month_streams_the_stored_file(order_paid_in_may, museum):
    settlement = settlement_close(settlement_id=may_of(museum).pk, now=JUNE_3)
    storage = statement_storage()
    name = statement_stored_name(settlement, "csv")
    storage.delete(name)
    storage.save(name, ContentFile(b"the stored file"))

    answer = viewer_of(museum).get(f"/api/v1/partners/settlements/{settlement.pk}/statement.csv")

    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"the stored file"
    assert answer["Content-Disposition"] == 'attachment; filename="ST-MUSEUM-202505.csv"'
    assert answer["Cache-Control"] == "private, no-store"


def test_a_closed_month_not_stored_yet_is_stored_by_its_first_download(order_paid_in_may, museum):
    # Closed while the broker was away: the storing task never ran.
    settlement = settlement_close(settlement_id=may_of(museum).pk, now=JUNE_3)
    storage = statement_storage()
    name = statement_stored_name(settlement, "pdf")
    storage.delete(name)

    answer = viewer_of(museum).get(f"/api/v1/partners/settlements/{settlement.pk}/statement.pdf")

    assert answer.status_code == 200
    body = b"".join(answer.streaming_content)
    assert body[:5] == b"%PDF-"
    assert storage.open(name).read() == body


def test_an_open_month_is_rendered_and_never_stored(order_paid_in_may, museum):
    settlement = may_of(museum)

    answer = viewer_of(museum).get(f"/api/v1/partners/settlements/{settlement.pk}/statement.csv")

    assert answer.status_code == 200
    assert not statement_storage().exists(statement_stored_name(settlement, "csv"))

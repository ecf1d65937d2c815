"""Museum staff receive a production batch into their warehouse and count it; the
newspaper's staff cannot touch that warehouse."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.journeys import demo
from tests.journeys.shop_api import API, signed_in
from tests.journeys.stacks import Stack

pytestmark = pytest.mark.journey

SKU = "BW-NTB-01-GRN"


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_staff_receive_a_batch_and_count_it_in_their_own_warehouse_only(stack: Stack):
    museum = signed_in(stack.base_url, *demo.MUSEUM_STAFF)
    media = signed_in(stack.base_url, *demo.MEDIA_STAFF)
    warehouses = [w["code"] for w in museum.get(f"{API}/staff/warehouses/")]
    assert warehouses == ["museum-bj"]
    stock = museum.get(f"{API}/staff/stock/", params={"sku": SKU, "warehouse": "museum-bj"})[
        "results"
    ][0]
    before = stock["quantity"]
    batch = f"PB-{uuid.uuid4().hex[:8]}"

    receipt = museum.post(
        f"{API}/staff/stock/receive/",
        {"sku": SKU, "warehouse": "museum-bj", "quantity": 12, "batch_reference": batch},
    )
    assert (receipt["reason"], receipt["quantity_delta"]) == ("receipt", 12)
    assert receipt["quantity_after"] == before + 12
    counted = museum.post(
        f"{API}/staff/stock/{stock['id']}/count/",
        {"counted_quantity": before + 11, "note": "One cover creased in transit."},
        expect=200,
    )
    assert counted["quantity"] == before + 11
    assert moment(counted["updated_at"]) > moment(stock["updated_at"])

    movements = museum.get(f"{API}/staff/stock/{stock['id']}/movements/")["results"]
    assert [
        (m["reason"], m["quantity_delta"], m["quantity_after"], m["reference"], m["created_by"])
        for m in movements[:2]
    ] == [
        ("count", -1, before + 11, "", demo.MUSEUM_STAFF[0]),
        ("receipt", 12, before + 12, batch, demo.MUSEUM_STAFF[0]),
    ]

    # The newspaper's staff: not their warehouse, whatever they try; nothing changes.
    media.refused(
        "POST",
        f"{API}/staff/stock/receive/",
        403,
        "warehouse_not_yours",
        json={"sku": SKU, "warehouse": "museum-bj", "quantity": 5, "batch_reference": batch},
    )
    media.refused(
        "POST",
        f"{API}/staff/stock/{stock['id']}/count/",
        403,
        "warehouse_not_yours",
        json={"counted_quantity": 0},
    )
    media.refused("GET", f"{API}/staff/stock/{stock['id']}/movements/", 403, "warehouse_not_yours")
    theirs = media.get(f"{API}/staff/stock/", params={"sku": SKU})["results"]
    assert {s["warehouse"] for s in theirs} <= {"media-bj"}
    after = museum.get(f"{API}/staff/stock/", params={"sku": SKU, "warehouse": "museum-bj"})
    assert after["results"][0]["quantity"] == before + 11
    assert museum.get(f"{API}/staff/stock/{stock['id']}/movements/")["count"] == len(movements)

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.channels.models import ChannelKind, LivestreamDrop, SalesChannel
from shop.channels.services import channel_create, channel_key_matches
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_key_is_stored_hashed_and_shown_once(museum):
    issued = channel_create(
        code="media-app", name_zh="应用", name_en="App", kind=ChannelKind.PARTNER_APP, owner=museum
    )
    channel = SalesChannel.objects.get(code="media-app")
    assert issued.key.startswith("chk_")
    assert issued.key not in channel.api_key_hash
    assert len(channel.api_key_hash) == 64
    assert channel_key_matches(channel, issued.key)
    assert not channel_key_matches(channel, issued.key + "x")


def test_storefront_identifies_its_channel_by_key(api_client, museum):
    issued = channel_create(
        code="media-app", name_zh="应用", name_en="App", kind=ChannelKind.PARTNER_APP, owner=museum
    )
    response = api_client.get("/api/v1/channel/", HTTP_X_CHANNEL_KEY=issued.key)
    assert response.status_code == 200
    assert response.json()["code"] == "media-app"
    assert response.json()["owner"] == "museum"


def test_key_of_one_channel_cannot_name_another(api_client, museum):
    issued = channel_create(
        code="media-app", name_zh="应用", name_en="App", kind=ChannelKind.PARTNER_APP, owner=museum
    )
    factories.SalesChannelFactory(code="museum-web", is_public=True)
    response = api_client.get("/api/v1/channel/?channel=museum-web", HTTP_X_CHANNEL_KEY=issued.key)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_channel_key"


def test_inactive_channel_is_refused(api_client):
    factories.SalesChannelFactory(code="closed", is_active=False)
    response = api_client.get("/api/v1/channel/?channel=closed")
    assert response.status_code == 403
    assert response.json()["code"] == "channel_inactive"


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("nope", 404, "channel_not_found"),
        ("bad\x00code", 400, "invalid_character"),
        ("a" * 41, 400, "invalid"),
    ],
)
def test_unknown_or_malformed_channel_code(api_client, code, status, error):
    response = api_client.get("/api/v1/channel/", {"channel": code})
    assert response.status_code == status
    assert response.json()["code"] == error


def test_rotating_a_key_stops_the_old_one(api_client, superuser, museum):
    issued = channel_create(
        code="media-app", name_zh="应用", name_en="App", kind=ChannelKind.PARTNER_APP, owner=museum
    )
    rotated = client_for(superuser).post("/api/v1/staff/channels/media-app/rotate-key/")
    assert rotated.status_code == 200
    new_key = rotated.json()["api_key"]
    assert api_client.get("/api/v1/channel/", HTTP_X_CHANNEL_KEY=issued.key).status_code == 401
    assert api_client.get("/api/v1/channel/", HTTP_X_CHANNEL_KEY=new_key).status_code == 200


def test_only_superusers_create_channels(staff_user, superuser, museum):
    body = {
        "code": "media-live",
        "name_zh": "直播",
        "name_en": "Live",
        "kind": "livestream",
        "owner": "museum",
        "commission_rate": "0.1500",
    }
    refused = client_for(staff_user).post("/api/v1/staff/channels/", body, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    created = client_for(superuser).post("/api/v1/staff/channels/", body, format="json")
    assert created.status_code == 201
    assert created.json()["api_key"].startswith("chk_")
    assert SalesChannel.objects.get(code="media-live").commission_rate == Decimal("0.1500")
    again = client_for(superuser).post("/api/v1/staff/channels/", body, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "channel_code_taken"
    bad = client_for(superuser).post(
        "/api/v1/staff/channels/", {**body, "code": "x2", "commission_rate": "1.5"}, format="json"
    )
    assert bad.status_code == 400
    assert "commission_rate" in bad.json()["fields"]


def test_staff_list_channels_and_shoppers_cannot(user, staff_user):
    factories.SalesChannelFactory(code="museum-web")
    assert [c["code"] for c in client_for(staff_user).get("/api/v1/staff/channels/").json()] == [
        "museum-web"
    ]
    assert client_for(user).get("/api/v1/staff/channels/").status_code == 403


def test_drops_list_live_and_upcoming(api_client):
    channel = factories.SalesChannelFactory(code="media-live", kind=ChannelKind.LIVESTREAM)
    variant = factories.ProductVariantFactory(sku="LIVE-1")
    now = timezone.now()
    live = LivestreamDrop.objects.create(
        channel=channel,
        code="now",
        name_zh="现在",
        name_en="Now",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=30),
    )
    live.variants.add(variant)
    LivestreamDrop.objects.create(
        channel=channel,
        code="later",
        name_zh="稍后",
        name_en="Later",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
    )
    LivestreamDrop.objects.create(
        channel=channel,
        code="over",
        name_zh="结束",
        name_en="Over",
        starts_at=now - timedelta(days=1),
        ends_at=now - timedelta(hours=23),
    )
    body = api_client.get("/api/v1/drops/?channel=media-live&lang=en").json()
    assert [(d["code"], d["is_live"]) for d in body] == [("now", True), ("later", False)]
    assert body[0]["name"] == "Now"
    assert [v["sku"] for v in body[0]["variants"]] == ["LIVE-1"]

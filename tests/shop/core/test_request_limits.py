"""URLs, headers and bodies the shop refuses before any view runs, at exactly its limits."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.shop.core.test_error_shape import assert_error

HEALTH = "/health/live/"


@pytest.fixture
def limits(settings):
    settings.SHOP_URL_MAX_BYTES = 200
    settings.SHOP_HEADER_MAX_BYTES = 300
    settings.SHOP_HEADERS_MAX_COUNT = 10
    settings.SHOP_HEADERS_MAX_TOTAL_BYTES = 1000
    return settings


def test_a_url_at_the_limit_is_served_and_one_byte_more_is_414(limits):
    query = "q=" + "a" * (200 - len(HEALTH) - 3)
    assert len(f"{HEALTH}?{query}") == 200

    assert Client().get(f"{HEALTH}?{query}").status_code == 200
    assert_error(Client().get(f"{HEALTH}?{query}a"), 414, "uri_too_long")


def test_a_long_path_is_414_too(limits):
    assert_error(Client().get("/api/v1/products/" + "a" * 200 + "/"), 414, "uri_too_long")


def test_a_header_at_the_limit_is_served_and_one_byte_more_is_431(limits):
    name = "X_NOTE"  # "X-Note": 6 bytes of name
    assert Client().get(HEALTH, **{f"HTTP_{name}": "a" * 294}).status_code == 200
    assert_error(Client().get(HEALTH, **{f"HTTP_{name}": "a" * 295}), 431, "headers_too_large")


def test_too_many_headers_are_431(limits):
    client = Client()
    base = sum(1 for key in client.get(HEALTH).wsgi_request.META if key.startswith("HTTP_"))
    extra = 10 - base
    assert client.get(HEALTH, **{f"HTTP_X_{i}": "a" for i in range(extra)}).status_code == 200

    refused = client.get(HEALTH, **{f"HTTP_X_{i}": "a" for i in range(extra + 1)})
    assert_error(refused, 431, "headers_too_large")


def test_headers_too_large_in_all_are_431(limits):
    headers = {f"HTTP_X_{i}": "a" * 250 for i in range(5)}  # each allowed, 1265 in all

    assert_error(Client().get(HEALTH, **headers), 431, "headers_too_large")


def test_the_refusals_carry_the_request_id_and_a_length(limits):
    response = Client().get(HEALTH + "?" + "a" * 300, HTTP_X_REQUEST_ID="probe-1")

    assert response["X-Request-ID"] == "probe-1"
    assert response["Content-Length"] == str(len(response.content))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products/?channel=museum-web&q=%00",
        "/api/v1/products/%00/?channel=museum-web",
        "/admin/shop/order/?q=%00",
        "/partners/dashboard/?month=%00",
    ],
)
def test_a_nul_character_in_a_url_is_400_before_any_view(url):
    assert_error(Client().get(url), 400, "invalid_character")


@pytest.mark.parametrize("header", ["HTTP_IDEMPOTENCY_KEY", "HTTP_X_CHANNEL_KEY"])
def test_a_nul_character_in_a_header_is_400(header):
    response = Client().post("/api/v1/carts/?channel=museum-web", **{header: "chk_a\x00b_c"})

    assert_error(response, 400, "invalid_character")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"email": "a@example.com", "password": "x"}'),
        ("multipart/form-data; boundary=x", "--x\r\n\r\n--x--\r\n"),
        ("application/x-www-form-urlencoded", "email=a%40example.com&password=x"),
        ("", '{"email": "a@example.com"}'),
    ],
)
def test_a_body_of_a_type_the_endpoint_does_not_parse_is_415(content_type, body):
    for path in ("/api/v1/auth/sign-in/", "/api/v1/auth/sign-out/"):
        response = Client().generic("POST", path, body, content_type=content_type)
        assert_error(response, 415, "unsupported_media_type")


@pytest.mark.django_db
def test_a_json_body_to_a_file_upload_is_415(staff_user):
    client = Client()
    client.force_login(staff_user)

    response = client.post("/api/v1/staff/stock/import/", {}, content_type="application/json")

    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.django_db
def test_a_body_larger_than_djangos_own_limit_is_413_too(settings):
    settings.SHOP_JSON_BODY_MAX_BYTES = 10_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = '{"email": "' + "a" * 200 + '@example.com"}'

    response = Client().post("/api/v1/auth/sign-in/", body, content_type="application/json")

    assert_error(response, 413, "payload_too_large")

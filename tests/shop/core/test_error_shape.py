"""Every error the API gives has the same shape: {"code", "message", "fields"} (plus extras).

Each case calls a real endpoint the way a storefront or a careless client would.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.conftest import client_for

SHAPE = {"code", "message", "fields"}


def assert_error(response, status: int, code: str, extras: frozenset[str] = frozenset()) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == SHAPE | extras
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["fields"], dict)
    return body


def token_client(user) -> APIClient:
    from tests.factories import api_token_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


@pytest.mark.django_db
def test_validation_error_is_400_invalid_with_the_fields():
    response = APIClient().post("/api/v1/auth/sign-in/", {"email": "not-an-email"}, format="json")

    body = assert_error(response, 400, "invalid")
    assert set(body["fields"]) == {"email", "password"}
    assert len(body["fields"]["password"]) == 1
    assert len(body["fields"]["email"]) == 1


@pytest.mark.django_db
def test_malformed_json_is_400_parse_error():
    response = APIClient().post(
        "/api/v1/auth/sign-in/", data='{"email": "a@example.com",', content_type="application/json"
    )

    body = assert_error(response, 400, "parse_error")
    assert body["fields"] == {}


@pytest.mark.django_db
def test_anonymous_call_to_a_signed_in_endpoint_is_401_not_authenticated():
    response = APIClient().get("/api/v1/me/")

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_unknown_token_is_401_authentication_failed():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")

    response = client.get("/api/v1/me/")

    assert_error(response, 401, "authentication_failed")


@pytest.mark.django_db
def test_shopper_on_a_staff_endpoint_is_403_permission_denied():
    client = token_client(factories.UserFactory())

    english = assert_error(
        client.get("/api/v1/staff/warehouses/?lang=en"), 403, "permission_denied"
    )
    chinese = assert_error(client.get("/api/v1/staff/warehouses/"), 403, "permission_denied")
    assert english["message"] == "Only staff may do this."
    assert chinese["message"] == "只有工作人员可以执行此操作。"


@pytest.mark.django_db
def test_unknown_api_url_is_404_not_found_in_json():
    response = APIClient().get("/api/v1/no-such-thing/")

    body = assert_error(response, 404, "not_found")
    assert body["fields"] == {}


@pytest.mark.django_db
def test_unknown_api_url_is_404_in_json_also_where_debug_is_on(settings):
    settings.DEBUG = True  # the embedded default (make run)

    unknown = APIClient().get("/api/v1/no-such-thing/")
    without_slash = APIClient().get("/api/v1/products")

    assert_error(unknown, 404, "not_found")
    assert (without_slash.status_code, without_slash["Location"]) == (301, "/api/v1/products/")


@pytest.mark.django_db
def test_unknown_url_outside_the_api_is_404_not_found_in_json():
    assert_error(APIClient().get("/no-such-page/"), 404, "not_found")


@pytest.mark.django_db
def test_unknown_product_is_404_product_not_found():
    assert_error(APIClient().get("/api/v1/products/nope/"), 404, "product_not_found")


@pytest.mark.django_db
def test_wrong_method_is_405_method_not_allowed():
    response = APIClient().delete("/api/v1/products/")

    body = assert_error(response, 405, "method_not_allowed")
    assert "DELETE" in body["message"]
    assert "GET" in response["Allow"]


@pytest.mark.django_db
def test_form_body_on_a_json_endpoint_is_415_unsupported_media_type():
    response = APIClient().post(
        "/api/v1/auth/sign-in/",
        data="email=a@example.com&password=x",
        content_type="application/x-www-form-urlencoded",
    )

    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.django_db
def test_throttled_request_is_429_throttled_with_retry_after(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"sign_in": "1/hour"},
    }
    client = APIClient()
    first = client.post("/api/v1/auth/sign-in/", {"email": "a@example.com"}, format="json")
    assert first.status_code == 400

    response = client.post("/api/v1/auth/sign-in/", {"email": "a@example.com"}, format="json")

    body = assert_error(response, 429, "throttled", frozenset({"retry_after"}))
    assert 1 <= body["retry_after"] <= 3600
    assert response["Retry-After"] == str(body["retry_after"])


@pytest.mark.django_db
def test_session_post_without_csrf_token_is_403_csrf_failed():
    user = factories.UserFactory()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    english = assert_error(client.post("/api/v1/auth/sign-out/?lang=en"), 403, "csrf_failed")
    chinese = assert_error(client.post("/api/v1/auth/sign-out/"), 403, "csrf_failed")
    assert english["message"] == "CSRF check failed: CSRF cookie not set."
    assert chinese["message"] == "CSRF 校验失败：未设置 CSRF Cookie。"


@pytest.mark.django_db
def test_signed_in_shopper_errors_keep_the_shape():
    response = client_for(factories.UserFactory()).get("/api/v1/products/nope/")

    assert_error(response, 404, "product_not_found")


@pytest.mark.django_db
def test_people_in_the_admin_and_the_dashboard_get_pages_not_json():
    from django.test import Client

    staff = factories.StaffFactory()
    client = Client()
    client.force_login(staff)

    refused = client.get("/admin/partners/settlement/", HTTP_ACCEPT_LANGUAGE="en")
    missing = client.get("/partners/settlements/999999/statement.csv", HTTP_ACCEPT_LANGUAGE="en")
    api = client.get("/api/v1/no-such-thing/")

    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("text/html")
    assert "Permission denied" in refused.content.decode()
    assert 'href="/admin/"' in refused.content.decode()
    assert missing.status_code in (403, 404)
    assert missing["Content-Type"].startswith("text/html")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"

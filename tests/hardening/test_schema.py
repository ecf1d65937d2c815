"""The schema describes what the API really answers: the fixes the fuzzing found."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _response(schema: dict, path: str, method: str, status: str) -> dict:
    body = schema["paths"][path][method]["responses"][status]["content"]["application/json"]
    ref = body["schema"].get("$ref", "")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else body["schema"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/orders/", "/api/v1/staff/orders/", "/api/v1/partners/ledger/"],
)
def test_paginated_lists_are_documented_as_pages(schema, path):
    page = _response(schema, path, "get", "200")
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    assert page["properties"]["results"]["type"] == "array"
    assert "404" in schema["paths"][path]["get"]["responses"]  # a page past the last


def test_settlement_period_is_a_month_not_a_date(schema):
    settlement = schema["components"]["schemas"]["Settlement"]
    assert settlement["properties"]["period"] == {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}$",
        "example": "2025-01",
    }


def test_staff_order_event_may_have_no_user(schema):
    event = schema["components"]["schemas"]["StaffOrderEvent"]
    assert event["properties"]["user"]["nullable"] is True


def test_current_channel_documents_its_errors(schema):
    responses = schema["paths"]["/api/v1/channel/"]["get"]["responses"]
    assert set(responses) == {"200", "400", "401", "403", "404"}
    assert _response(schema, "/api/v1/channel/", "get", "400")["required"] == [
        "code",
        "fields",
        "message",
    ]


def test_every_write_documents_bad_input_and_a_database_outage(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete"):
                assert {"400", "503"} <= set(operation["responses"]), (method, path)


def test_registration_documents_an_email_already_taken(schema):
    """Found by the fuzzing: registering the same e-mail twice answers 409 email_taken."""
    responses = schema["paths"]["/api/v1/auth/register/"]["post"]["responses"]
    assert {"201", "400", "409", "429"} <= set(responses)


def test_channel_creation_documents_a_code_already_taken(schema):
    responses = schema["paths"]["/api/v1/staff/channels/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409"} <= set(responses)


def test_partner_figures_document_an_unknown_partner_in_the_error_shape(schema):
    """Found by the fuzzing as a superuser: ?partner=<unknown> answers 404."""
    for path in ("/api/v1/partners/reports/summary/", "/api/v1/partners/settlements/"):
        not_found = _response(schema, path, "get", "404")
        assert not_found["required"] == ["code", "fields", "message"]

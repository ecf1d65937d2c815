"""Hostile requests to a real gunicorn, started with the project's gunicorn.conf.py the
way the benchmark starts it (bench/stack.py), serving the test settings and database.

Requests are written byte by byte on a socket, so what is sent is exactly what a
hostile client sends: bodies nested deep, over the limit, with a Content-Length that
lies; query strings and headers just over the shop's limits (the shop answers, with
its request id) and over gunicorn's (gunicorn answers, in the same error shape);
request lines that are not HTTP; and Stripe webhooks of every wrong shape, signed with
the webhook secret.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from bench.stack import Stack, free_port
from shop.payments.models import WebhookEvent
from tests import celery_workers
from tests.shop.payments.helpers import WEBHOOK_SECRET, WRONG_SHAPE_EVENTS, signature_for

WEBHOOK = "/api/v1/payments/stripe/webhook/"
SIGN_IN = "/api/v1/auth/sign-in/"


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def error(self) -> dict[str, Any]:
        """The error body, after checking it has the shop's error shape."""
        assert self.headers["Content-Type"] == "application/json", self.body[:200]
        assert int(self.headers["Content-Length"]) == len(self.body)
        body = json.loads(self.body)
        assert set(body) == {"code", "message", "fields"}, body
        assert isinstance(body["message"], str) and body["message"]
        return body

    @property
    def from_the_shop(self) -> bool:
        """Answered by the shop (every answer of its own carries a request id), not by
        gunicorn before it."""
        return "X-Request-ID" in self.headers


@dataclass
class Server:
    port: int

    def exchange(self, raw: bytes) -> Answer:
        """Send ``raw`` and close the sending side (no more is coming), then read the
        answer. Like a real client, stop sending once an answer arrives: gunicorn answers
        a body it refuses unread and closes the connection."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            unsent = memoryview(raw)
            while unsent:
                readable, writable, _ = select.select([sock], [sock], [], 30)
                if readable:
                    break
                if writable:
                    unsent = unsent[sock.send(unsent[:65536]) :]
            with contextlib.suppress(OSError):  # already closed by the server
                sock.shutdown(socket.SHUT_WR)
            response = http.client.HTTPResponse(sock)
            response.begin()
            return Answer(response.status, response.headers, response.read())

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_length: int | None = None,
    ) -> Answer:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if body or content_length is not None:
            length = len(body) if content_length is None else content_length
            lines.append(f"Content-Length: {length}")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        return self.exchange(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def post_json(self, path: str, body: bytes, **headers: str) -> Answer:
        return self.request("POST", path, body, {"Content-Type": "application/json", **headers})


@pytest.fixture(scope="module")
def gunicorn(django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    logs = tmp_path_factory.mktemp("gunicorn")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings.test",
        "DATABASE_URL": celery_workers.test_database_url(),
        "STRIPE_SECRET_KEY": "sk_test_shop",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        # Nothing here may reach Stripe: a refused event is never read back.
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "LOG_LEVEL": "WARNING",
    }
    stack = Stack(env, Path(logs))
    port = free_port()
    try:
        stack.web_start(port=port, workers=1, threads=1)
        yield Server(port)
    finally:
        stack.stop_all()


@pytest.mark.parametrize(
    "body",
    [b"[" * 1_000 + b"]" * 1_000, b"[" * 100_000, b'{"a":' * 1_000 + b"1" + b"}" * 1_000],
    ids=["nested_1000", "nested_100000_unclosed", "objects_1000"],
)
def test_a_deep_body_is_400_too_deep(gunicorn: Server, body: bytes):
    for path in (SIGN_IN, "/api/v1/carts/?channel=museum-web", "/api/v1/auth/sign-out/"):
        answer = gunicorn.post_json(path, body)

        assert (answer.status, answer.error()["code"]) == (400, "too_deep")
        assert answer.from_the_shop


def test_a_body_over_the_limit_is_413(gunicorn: Server):
    body = b'{"email": "' + b"a" * settings.SHOP_JSON_BODY_MAX_BYTES + b'"}'

    answer = gunicorn.post_json(SIGN_IN, body)

    assert (answer.status, answer.error()["code"]) == (413, "payload_too_large")


def test_a_content_length_over_the_limit_is_413_before_the_body_is_read(gunicorn: Server):
    answer = gunicorn.request(
        "POST",
        SIGN_IN,
        b"{}",
        {"Content-Type": "application/json"},
        content_length=50_000_000,
    )

    assert (answer.status, answer.error()["code"]) == (413, "payload_too_large")


def test_a_content_length_shorter_than_the_body_cuts_it_into_a_parse_error(gunicorn: Server):
    body = b'{"email": "shopper@example.com", "password": "x"}'

    answer = gunicorn.request(
        "POST", SIGN_IN, body, {"Content-Type": "application/json"}, content_length=12
    )

    assert (answer.status, answer.error()["code"]) == (400, "parse_error")


def test_a_content_length_longer_than_the_body_reads_what_came(gunicorn: Server):
    answer = gunicorn.request(
        "POST", SIGN_IN, b'{"email": 5}', {"Content-Type": "application/json"}, content_length=500
    )

    assert (answer.status, answer.error()["code"]) == (400, "invalid")


@pytest.mark.parametrize("content_length", ["abc", "-5", "1, 2"])
def test_a_content_length_that_is_not_a_length_is_refused_by_gunicorn(gunicorn, content_length):
    answer = gunicorn.exchange(
        f"POST {SIGN_IN} HTTP/1.1\r\nHost: x\r\nContent-Length: {content_length}\r\n\r\n".encode()
    )

    assert (answer.status, answer.error()["code"]) == (400, "bad_request")


def test_a_json_body_sent_as_text_is_415(gunicorn: Server):
    answer = gunicorn.request("POST", SIGN_IN, b"{}", {"Content-Type": "text/plain"})

    assert (answer.status, answer.error()["code"]) == (415, "unsupported_media_type")


def test_a_query_string_over_the_shops_limit_is_414_from_the_shop(gunicorn: Server):
    answer = gunicorn.request("GET", "/api/v1/products/?q=" + "a" * settings.SHOP_URL_MAX_BYTES)

    assert (answer.status, answer.error()["code"]) == (414, "uri_too_long")
    assert answer.from_the_shop


def test_a_request_line_over_gunicorns_limit_is_414_in_the_error_shape(gunicorn: Server):
    answer = gunicorn.request("GET", "/api/v1/products/?q=" + "a" * 9_000)

    assert (answer.status, answer.error()["code"]) == (414, "uri_too_long")
    assert not answer.from_the_shop
    assert b"a" * 20 not in answer.body  # nothing of the request is echoed


def test_a_header_over_the_shops_limit_is_431_from_the_shop(gunicorn: Server):
    answer = gunicorn.request("GET", "/health/live/", headers={"Cookie": "c=" + "a" * 9_000})

    assert (answer.status, answer.error()["code"]) == (431, "headers_too_large")
    assert answer.from_the_shop


def test_too_many_headers_for_the_shop_are_431_from_the_shop(gunicorn: Server):
    headers = {f"X-Note-{i}": "a" for i in range(settings.SHOP_HEADERS_MAX_COUNT)}

    answer = gunicorn.request("GET", "/health/live/", headers=headers)

    assert (answer.status, answer.error()["code"]) == (431, "headers_too_large")
    assert answer.from_the_shop


@pytest.mark.parametrize(
    "headers",
    [{"Cookie": "c=" + "a" * 17_000}, {f"X-Note-{i}": "a" for i in range(101)}],
    ids=["header_over_16380_bytes", "101_headers"],
)
def test_headers_over_gunicorns_limits_are_431_in_the_error_shape(gunicorn: Server, headers):
    answer = gunicorn.request("GET", "/health/live/", headers=headers)

    assert (answer.status, answer.error()["code"]) == (431, "headers_too_large")
    assert not answer.from_the_shop


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
    ],
    ids=["not_http", "unknown_version", "nul_in_header"],
)
def test_what_is_not_http_is_400_in_the_error_shape(gunicorn: Server, raw: bytes):
    answer = gunicorn.exchange(raw)

    assert (answer.status, answer.error()["code"]) == (400, "bad_request")


def test_a_nul_character_in_a_query_string_is_400(gunicorn: Server):
    answer = gunicorn.request("GET", "/api/v1/products/?channel=museum-web&q=%00")

    assert (answer.status, answer.error()["code"]) == (400, "invalid_character")
    assert answer.from_the_shop


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(WRONG_SHAPE_EVENTS))
def test_a_signed_webhook_of_the_wrong_shape_is_400_and_stores_nothing(gunicorn: Server, name):
    payload, code, fields = WRONG_SHAPE_EVENTS[name]

    answer = gunicorn.post_json(WEBHOOK, payload, **{"Stripe-Signature": signature_for(payload)})

    body = answer.error()
    assert (answer.status, body["code"], set(body["fields"])) == (400, code, fields)
    assert WebhookEvent.objects.count() == 0

"""A local stand-in for Tencent Cloud SMS (SendSms, version 2021-01-11): it checks the
request's TC3-HMAC-SHA256 signature with the test's SecretKey, written here from Tencent's
documentation (not the SDK's code), and answers as the service does: one status per
number, an error for the whole request, a 5xx, or no answer in time."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_signature(
    *, secret_key: str, method: str, headers: dict[str, str], signed: str, body: bytes, ts: int
) -> str:
    """TC3-HMAC-SHA256 over the canonical request (path "/", no query string)."""
    date = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed.split(";"))
    canonical = "\n".join(
        [method, "/", "", canonical_headers, signed, hashlib.sha256(body).hexdigest()]
    )
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(ts),
            f"{date}/sms/tc3_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), "sms"), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencentSms:
    """``status`` is what each number gets ("Ok" or a code such as
    LimitExceeded.PhoneNumberDailyLimit); ``error`` fails the whole request with that code;
    ``server_error`` answers 502; ``hang`` answers nothing until the fake is closed."""

    def __init__(self, *, secret_id: str, secret_key: str, port: int = 0) -> None:
        self.secret_id, self.secret_key = secret_id, secret_key
        self.sent: list[dict[str, Any]] = []
        self.status, self.error, self.server_error, self.hang = "Ok", "", False, False
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def signature_error(self, headers: dict[str, str], body: bytes) -> str:
        """The error code Tencent gives a badly signed request, or ""."""
        scheme, _, fields = headers.get("authorization", "").partition(" ")
        parts = dict(p.strip().split("=", 1) for p in fields.split(",") if "=" in p)
        secret_id, _, scope = parts.get("Credential", "").partition("/")
        ts = int(headers.get("x-tc-timestamp", "0"))
        date = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
        if scheme != "TC3-HMAC-SHA256" or secret_id != self.secret_id:
            return "AuthFailure.SecretIdNotFound"
        if scope != f"{date}/sms/tc3_request" or "host" not in parts.get("SignedHeaders", ""):
            return "AuthFailure.SignatureFailure"
        expected = tc3_signature(
            secret_key=self.secret_key,
            method="POST",
            headers=headers,
            signed=parts["SignedHeaders"],
            body=body,
            ts=ts,
        )
        if not hmac.compare_digest(expected, parts.get("Signature", "")):
            return "AuthFailure.SignatureFailure"
        return ""

    def answer(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        error = self.signature_error(headers, body)
        if not error and (headers.get("x-tc-action"), headers.get("x-tc-version")) != (
            "SendSms",
            "2021-01-11",
        ):
            error = "InvalidAction"
        error = error or self.error
        if error:
            return 200, {"Response": {"Error": {"Code": error, "Message": error}, "RequestId": "r"}}
        request = json.loads(body)
        if self.status == "Ok":
            self.sent.append(request)
        statuses = [
            {"SerialNo": "2028:1", "PhoneNumber": number, "Fee": 1, "Code": self.status}
            for number in request["PhoneNumberSet"]
        ]
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": "r"}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if fake.hang:
                    fake.released.wait()
                    return
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, answer = (
                    (502, {"message": "bad gateway"})
                    if fake.server_error
                    else fake.answer(headers, body)
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> FakeTencentSms:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

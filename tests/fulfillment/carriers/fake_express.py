"""A local HTTP server that answers like the express carrier's open API, or fails on demand."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fulfillment.carriers.express import data_digest

APP_KEY = "coshop-test"
APP_SECRET = "s3cret"
LABEL = b"%PDF-1.4 carrier label"


@dataclass
class FakeCarrier:
    url: str
    # What the next requests get: "ok", "500", "400", "slow", "garbage", "refused", "busy".
    modes: list[str] = field(default_factory=list)
    default_mode: str = "ok"
    requests: list[dict] = field(default_factory=list)
    traces: list[dict] = field(default_factory=list)
    slow_seconds: float = 2.0
    # Set when the server stops: a "slow" answer held back goes out at once.
    stopped: threading.Event = field(default_factory=threading.Event)


def _handler(state: FakeCarrier) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, content_type="application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            signed = self.headers.get("x-dataDigest") == data_digest(body, APP_SECRET)
            state.requests.append(
                {
                    "path": self.path,
                    "body": json.loads(body),
                    "app_key": self.headers.get("x-appKey"),
                    "signed": signed,
                }
            )
            mode = state.modes.pop(0) if state.modes else state.default_mode
            if mode == "slow":
                state.stopped.wait(state.slow_seconds)
                mode = "ok"
            if mode == "500":
                return self._send(500, b"Internal Server Error", "text/plain")
            if mode == "400":
                return self._send(400, b'{"error": "bad request"}')
            if mode == "garbage":
                return self._send(200, b"<html>maintenance</html>", "text/html")
            if mode == "refused":
                answer = {"status": False, "statusCode": "ADDRESS_INVALID", "message": "地址不详"}
                return self._send(200, json.dumps(answer).encode())
            if mode == "busy":
                answer = {"status": False, "statusCode": "SYSTEM_BUSY", "message": "busy"}
                return self._send(200, json.dumps(answer).encode())
            if not signed:
                answer = {"status": False, "statusCode": "SIGN_ERROR", "message": "bad digest"}
                return self._send(200, json.dumps(answer).encode())
            if self.path == "/api/order/create":
                reference = state.requests[-1]["body"]["partnerOrderCode"]
                result = {
                    "billCode": f"ZT{reference.split('-')[1]:0>10}",
                    "labelPdf": base64.b64encode(LABEL).decode(),
                }
            else:
                result = {"traces": state.traces}
            answer = {"status": True, "statusCode": "SUCCESS", "message": "", "result": result}
            self._send(200, json.dumps(answer, ensure_ascii=False).encode())

    return Handler


class FakeCarrierServer:
    def __init__(self) -> None:
        self.state = FakeCarrier(url="")
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.server.daemon_threads = True
        self.state.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeCarrier:
        self.thread.start()
        return self.state

    def __exit__(self, *exc) -> None:
        self.state.stopped.set()
        self.server.shutdown()
        self.server.server_close()

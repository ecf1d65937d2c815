"""A local stand-in for Alibaba Cloud's SMS API (dysmsapi SendSms): it checks the
request's RPC signature with the test's AccessKey secret and answers as the service does."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse

from shop.accounts.sms.senders import aliyun_signature


class FakeAliyunSms:
    def __init__(self, *, secret: str, port: int) -> None:
        self.secret = secret
        self.sent: list[dict[str, str]] = []
        self.refuse_with = ""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                params = dict(parse_qsl(urlparse(self.path).query))
                signature = params.pop("Signature", "")
                if signature != aliyun_signature(params, fake.secret):
                    answer, status = {"Code": "SignatureDoesNotMatch"}, 400
                elif fake.refuse_with:
                    answer, status = {"Code": fake.refuse_with}, 200
                else:
                    fake.sent.append(params)
                    answer, status = {"Code": "OK", "BizId": "900", "RequestId": "r"}, 200
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAliyunSms:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

"""What both provider fakes share: key pairs, a threaded HTTP server, the requests they
saw, and trouble the tests ask for (a 5xx, a slow answer, a forged signature)."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    public_pem: str
    key: Any

    @classmethod
    def generate(cls) -> KeyPair:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public_pem = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        return cls(private_pem=private_pem, public_pem=public_pem, key=key)

    def certificate(self, serial: int, name: str) -> str:
        """A self-signed certificate of this key (a provider's platform certificate)."""
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(serial)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .sign(self.key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class Seen:
    method: str
    path: str  # with its query string
    headers: dict[str, str]
    body: bytes
    signed: bool  # the shop's signature checked out


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class FakeServer:
    """A provider's API on 127.0.0.1; subclasses answer in :meth:`answer`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.seen: list[Seen] = []
        self.trouble: list[tuple[str, Any]] = []
        self.stopped = threading.Event()
        self.server: ThreadingHTTPServer | None = None

    # -- driving it ------------------------------------------------------------

    def fail_next(self, status: int = 500) -> None:
        self.trouble.append(("status", status))

    def slow_next(self, seconds: float) -> None:
        """Answer the next request late (it is still carried out): a timeout."""
        self.trouble.append(("late", seconds))

    def forge_next(self) -> None:
        """Sign the next answer with a key that is not the provider's."""
        self.trouble.append(("forge", None))

    def calls(self, method: str, prefix: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path.startswith(prefix)]

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self, port: int = 0) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                answer = fake.dispatch(self.command, self.path, headers, body)
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def dispatch(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        if path.startswith("/_fake/"):
            return self.control(path.removeprefix("/_fake/").strip("/").split("/"))
        with self.lock:
            trouble = self.trouble.pop(0) if self.trouble else None
        if trouble and trouble[0] == "status":
            return Answer(trouble[1], b'{"code":"SYSTEM_ERROR","message":"fake failure"}')
        answer = self.answer(
            method, path, headers, body, forge=bool(trouble and trouble[0] == "forge")
        )
        if trouble and trouble[0] == "late":
            self.stopped.wait(trouble[1])
        return answer

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes, *, forge: bool
    ) -> Answer:
        raise NotImplementedError

    def control(self, parts: list[str]) -> Answer:
        """Development's buttons (``POST /_fake/pay/<trade>``, ``/_fake/refund/<refund>``):
        what the shopper or the bank does, then the notification sent to the shop."""
        raise NotImplementedError

    def deliver(self, url: str, **request: Any) -> Answer:
        """Send a notification to the shop at ``url``; its answer, as JSON for the caller."""
        if not url:
            return Answer(200, b'{"notified": null}', {"Content-Type": "application/json"})
        try:
            status = requests.post(url, timeout=10, **request).status_code
        except requests.RequestException:
            status = 0
        body = f'{{"notified": {status}}}'.encode()
        return Answer(200, body, {"Content-Type": "application/json"})

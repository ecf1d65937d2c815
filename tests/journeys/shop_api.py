"""How the journeys talk to a running shop: over HTTP only, as a storefront, a shopper,
staff or a partner does, and nothing else."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import requests

from tests.waiting import wait_until

API = "/api/v1"
# An order that is paid, whatever fulfilment has done with it since.
PAID_STATUSES = ("paid", "fulfilling", "shipped", "delivered")
T = TypeVar("T")


class ShopApi:
    """One caller of the shop: its address and what identifies the caller (a token, a
    storefront's channel key, or the code of a public channel sent as ``?channel=``)."""

    def __init__(
        self, base_url: str, *, token: str = "", channel_key: str = "", channel: str = ""
    ) -> None:
        self.base_url = base_url
        self.channel = channel
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Token {token}"
        if channel_key:
            self.session.headers["X-Channel-Key"] = channel_key

    def request(
        self,
        method: str,
        path: str,
        *,
        expect: int | Iterable[int],
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send one request and check its status; a surprise shows the answer's body."""
        if self.channel:
            params = {"channel": self.channel, **(params or {})}
        response = self.session.request(
            method,
            f"{self.base_url}{path}",
            json=json,
            params=params,
            headers=headers,
            timeout=30,
            allow_redirects=False,
        )
        expected = {expect} if isinstance(expect, int) else set(expect)
        assert response.status_code in expected, (
            f"{method} {path} answered {response.status_code}, expected {sorted(expected)}: "
            f"{response.text[:1500]}"
        )
        return response

    def get(self, path: str, *, expect: int | Iterable[int] = 200, **options: Any) -> Any:
        return self.request("GET", path, expect=expect, **options).json()

    def post(
        self, path: str, body: Any = None, *, expect: int | Iterable[int] = 201, **options: Any
    ) -> Any:
        return self.request("POST", path, expect=expect, json=body, **options).json()

    def patch(self, path: str, body: Any, *, expect: int = 200, **options: Any) -> Any:
        return self.request("PATCH", path, expect=expect, json=body, **options).json()

    def refused(self, method: str, path: str, status: int, code: str, **options: Any) -> dict:
        """The request is refused with ``status`` and the error ``code``, in the one shape."""
        body = self.request(method, path, expect=status, **options).json()
        assert body["code"] == code, body
        assert {"code", "message", "fields"} <= set(body), body
        return body


@functools.cache
def _token(base_url: str, email: str, password: str) -> str:
    # Once per person and shop: sign-in is throttled per address, as for any client.
    body = ShopApi(base_url).post(
        f"{API}/auth/sign-in/", {"email": email, "password": password}, expect=200
    )
    assert body["user"]["email"] == email
    return str(body["token"])


def signed_in(base_url: str, email: str, password: str) -> ShopApi:
    return ShopApi(base_url, token=_token(base_url, email, password))


def idempotency_key() -> str:
    return str(uuid.uuid4())


def unique_email(who: str) -> str:
    return f"{who}-{uuid.uuid4().hex[:10]}@example.com"


def wait_for(read: Callable[[], T], until: Callable[[T], bool], *, seconds: float, what: str) -> T:
    """Read again until the answer satisfies ``until``, for at most ``seconds``."""
    answers: list[T] = []

    def satisfied() -> bool:
        answers.append(read())
        return until(answers[-1])

    if not wait_until(satisfied, seconds=seconds, every=0.5):
        raise AssertionError(f"not {what} after {seconds} s; last answer: {answers[-1]!r:.2000}")
    return answers[-1]

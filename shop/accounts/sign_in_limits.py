"""How many wrong passwords a sign-in takes before it must wait, for every way to sign in.

The API, the admin and the partner dashboard all sign in through Django's
``authenticate``, where django-axes (configured in settings, ``AXES_*``) counts each
failure in the default cache (Redis in production, process memory on the embedded
default). Three limits, each keyed so that one person's failures never lock out others:

- **One account from one client** (axes, ``SIGN_IN_FAILURES_PER_CLIENT``): the key is
  the pair (account, client address). The failure that reaches the limit locks that pair
  for ``SIGN_IN_COOL_OFF_MINUTES``; other accounts from the same address, and the same
  account from elsewhere, keep working. A lock on the address alone would let one person
  behind a shared address (an office, a campus, a mobile carrier's NAT) lock out everyone
  else there; a lock on the account alone would let anyone lock out any shopper.
- **One account from many clients** (``SIGN_IN_FAILURES_PER_ACCOUNT``, higher): failures
  counted per account from clients it has never signed in from. Reaching it locks the
  account for the cool-off, but only for such unknown clients: a client that signed in
  to this account within ``SIGN_IN_KNOWN_CLIENT_DAYS`` (the pair account and address)
  still gets its own per-pair budget, so a botnet spraying one account is stopped while
  its owner, at home or at the office, still signs in.
- **One client trying many accounts**: the per-client rate of throttle scope ``sign_in``
  (``THROTTLE_SIGN_IN``), for the API and the sign-in pages alike (sign_in_pages.py).

The client address is the one the throttles use (``shop.core.throttling.client_address``,
trusting only ``THROTTLE_TRUSTED_PROXIES``), so a forged X-Forwarded-For changes nothing.
A successful sign-in clears its pair's failures; it leaves the account's count alone, so
an owner who signs in now and then does not hand a botnet a fresh budget each time.

Operators lift a lock with ``manage.py axes_reset_ip_username <address> <e-mail>`` (one
pair) or ``manage.py axes_reset_username <e-mail>`` (the account's lock).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_cache, get_client_username, get_cool_off
from django.conf import settings

from shop.core.attempts import AttemptLimit, attempt_failed, attempts_clear, attempts_locked_for

logger = logging.getLogger(__name__)


def sign_in_account(request: Any, credentials: dict | None = None) -> str:
    """The account a sign-in names, as one key whatever its case or spaces
    (``AXES_USERNAME_CALLABLE``)."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = getattr(request, "POST", {}).get("username")
    return str(name or "").strip().lower()


def sign_in_cool_off_seconds() -> int:
    cool_off = get_cool_off()
    return int(cool_off.total_seconds()) if cool_off else 0


def _account_limit() -> AttemptLimit:
    return AttemptLimit(
        scope="sign_in_account",
        failures=settings.SIGN_IN_FAILURES_PER_ACCOUNT,
        seconds=sign_in_cool_off_seconds(),
    )


def _known_client_key(account: str, address: str) -> str:
    digest = hashlib.sha256(f"{account}\n{address}".encode()).hexdigest()[:40]
    return f"sign-in-known:{digest}"


def sign_in_locked(request: Any) -> bool:
    """Whether the sign-in just tried with this request was refused for a lock."""
    return bool(getattr(request, "axes_locked_out", False))


class SignInLockHandler(AxesCacheHandler):
    """axes' cache handler (the per-pair lock) plus the per-account lock for unknown
    clients (``AXES_HANDLER``). When the cache is down, sign-ins are neither counted nor
    locked (logged), as the throttles let requests through: a Redis outage must not
    lock everyone out of their accounts."""

    def __init__(self) -> None:  # the cache is looked up on use: settings may change
        pass

    @property
    def cache(self) -> Any:
        return get_cache()

    def _account_lock_applies(self, request: Any, credentials: dict | None) -> bool:
        account = get_client_username(request, credentials)
        if not account or attempts_locked_for(_account_limit(), account) == 0:
            return False
        return not self._known(account, request.axes_ip_address)

    def _known(self, account: str, address: str | None) -> bool:
        if not address:
            return False
        return self.cache.get(_known_client_key(account, address)) is not None

    def is_locked(self, request: Any, credentials: dict | None = None) -> bool:
        try:
            return super().is_locked(request, credentials) or self._account_lock_applies(
                request, credentials
            )
        except Exception as exc:
            logger.warning("sign-in locks not read: cache unavailable (%s)", exc)
            return False

    def user_login_failed(
        self, sender: Any, credentials: dict, request: Any = None, **kwargs: Any
    ) -> None:
        # Refused for a lock before its password was checked: no guess, nothing counted.
        refused = bool(getattr(request, "axes_locked_out", False))
        try:
            super().user_login_failed(sender, credentials, request, **kwargs)
            if request is None or refused:
                return
            account = get_client_username(request, credentials)
            if account and not self._known(account, request.axes_ip_address):
                attempt_failed(_account_limit(), account)
            if self._account_lock_applies(request, credentials):
                request.axes_locked_out = True
                request.axes_credentials = credentials
        except Exception as exc:
            logger.warning("sign-in failure not counted: cache unavailable (%s)", exc)

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        account = sign_in_account(None, {"username": user.get_username()})
        address = request.axes_ip_address
        try:
            super().user_logged_in(sender, request, user, **kwargs)
            if address:
                days = settings.SIGN_IN_KNOWN_CLIENT_DAYS
                self.cache.set(_known_client_key(account, address), 1, timeout=int(days * 86400))
        except Exception as exc:
            logger.warning("sign-in not remembered: cache unavailable (%s)", exc)

    def reset_attempts(
        self,
        *,
        ip_address: str | None = None,
        username: str | None = None,
        ip_or_username: bool = False,
    ) -> int:
        count = super().reset_attempts(
            ip_address=ip_address, username=username, ip_or_username=ip_or_username
        )
        if username:
            attempts_clear(_account_limit(), sign_in_account(None, {"username": username}))
        return count

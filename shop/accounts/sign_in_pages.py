"""What the sign-in pages (admin, partner dashboard) answer when a sign-in must wait.

The limits themselves are in sign_in_limits.py; here the pages get the per-client rate
the API's sign-in already has (throttle scope ``sign_in``), and every refusal, a lock or
the rate, is a page in the site's own look that says how long to wait, with status 429
and Retry-After. Under /api/ the same refusal is the API's error shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from shop.accounts.errors import SignInLocked
from shop.accounts.sign_in_limits import sign_in_cool_off_seconds
from shop.core.throttling import rate_wait

DEFAULT_WAIT_TEMPLATE = "sign_in_wait.html"

RATE_MESSAGE = _(
    "Too many sign-in attempts from your network. Please wait %(minutes)s minute(s) and try again."
)


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def sign_in_wait_page(request: HttpRequest, *, seconds: int, message: str) -> HttpResponse:
    """The page that asks to wait, in the look of the sign-in page that was used."""
    template = getattr(request, "sign_in_wait_template", DEFAULT_WAIT_TEMPLATE)
    context = {"message": message, "minutes": _minutes(seconds), "retry_after": seconds}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def sign_in_locked_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """axes' answer to a locked sign-in (``AXES_LOCKOUT_CALLABLE``)."""
    seconds = max(1, sign_in_cool_off_seconds())
    error = SignInLocked(retry_after=seconds)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error.as_dict(), status=error.status_code)
        response["Retry-After"] = str(seconds)
        return response
    return sign_in_wait_page(request, seconds=seconds, message=str(error.message))


def sign_in_page(view: Callable[..., HttpResponseBase], *, wait_template: str) -> Callable:
    """A sign-in page view with the per-client rate; its refusals use ``wait_template``."""

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.sign_in_wait_template = wait_template  # type: ignore[attr-defined]
        if request.method == "POST":
            wait = rate_wait(request, "sign_in")
            if wait is not None:
                message = RATE_MESSAGE % {"minutes": _minutes(wait)}
                return sign_in_wait_page(request, seconds=wait, message=message)
        return view(request, *args, **kwargs)

    return limited

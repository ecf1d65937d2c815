"""Request ids, structured logs and log hygiene for the web processes and the Celery workers.

Every request gets an id (the caller's ``X-Request-ID`` when it is a sane token, a new
one otherwise). It is kept in a context variable, stamped on every log record, returned
in the response header and carried in the headers of every Celery task the request
enqueues, so an operator can follow one shopper's checkout from the web log into the
fulfilment and e-mail tasks it started.

Logs never carry secrets or card data: :class:`SecretMaskingFilter` masks them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from celery import signals
from django.core.signals import request_finished, request_started
from django.dispatch import receiver

from shop.core import metrics

REQUEST_ID_HEADER = "X-Request-ID"
# Header name inside a Celery task message.
TASK_HEADER = "shop_request_id"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "shop_request_id", default=None
)


def request_id_get() -> str | None:
    """The id of the request (or task) being handled in this context, if any."""
    return request_id_var.get()


def request_id_from(value: str | None) -> str:
    """The caller's id when it is a safe token to log and echo, else a fresh one."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id, expose it to logs and tasks, and return it to the caller."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        # Cleared when the request is finished, not here: Django logs 4xx and 5xx
        # answers ("Not Found: ...") after the middleware has returned.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_started, dispatch_uid="shop_request_id_clear_on_start")
@receiver(request_finished, dispatch_uid="shop_request_id_clear_on_finish")
def _request_id_clear_between_requests(**_: Any) -> None:
    request_id_var.set(None)


# --- Celery: the id travels in the task message headers ---------------------------------

_task_tokens: dict[str, contextvars.Token] = {}


@signals.before_task_publish.connect(weak=False)
def _request_id_to_task(headers: dict | None = None, **_: Any) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


@signals.task_prerun.connect(weak=False)
def _request_id_from_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    carried = getattr(task.request, TASK_HEADER, None) if task is not None else None
    # A task run in-process (eager) keeps the id of the request that runs it.
    request_id = carried or request_id_var.get() or request_id_from(task_id)
    _task_tokens[task_id or ""] = request_id_var.set(request_id)


@signals.task_postrun.connect(weak=False)
def _request_id_clear(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (should not happen); start clean
            request_id_var.set(None)


@signals.task_failure.connect(weak=False)
def _task_failure_count(sender: Any = None, **_: Any) -> None:
    metrics.task_failed(getattr(sender, "name", None) or "unknown")


# --- Logging ------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request id ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        return True


MASK = "***"
SENSITIVE_KEY = re.compile(
    r"passw(or)?d|^pass$|token|secret|authori[sz]ation|cookie|card|cvc|cvv|api[_-]?key|"
    r"signature|^session",
    re.IGNORECASE,
)
# key=value or "key": "value" pairs inside a message text.
_SENSITIVE_PAIR = re.compile(
    r"(?P<key>[\"']?[\w-]*(?:password|passwd|token|secret|authorization|card|cvc|cvv|"
    r"api[_-]?key)[\w-]*[\"']?\s*[:=]\s*)(?P<value>\"[^\"]*\"|'[^']*'|Bearer\s+\S+|[^\s,;&}]+)",
    re.IGNORECASE,
)
# What a text must contain for _SENSITIVE_PAIR to match (lower case): most log texts
# contain none, and looking for these words costs a small part of the pattern's search.
_SENSITIVE_WORDS = ("pass", "token", "secret", "authori", "card", "cvc", "cvv", "api")
# 13 to 19 digits, optionally grouped by spaces or dashes: what a card number looks like.
_CARD_NUMBER = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return MASK if _luhn_valid(digits) else match.group(0)


def mask_text(text: str) -> str:
    """Mask ``password=...``-style pairs and card numbers in free text."""
    lowered = text.lower()
    if any(word in lowered for word in _SENSITIVE_WORDS):
        text = _SENSITIVE_PAIR.sub(lambda m: m.group("key") + MASK, text)
    return _CARD_NUMBER.sub(_mask_card, text)


def mask_value(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` with the values under sensitive keys masked, at any depth."""
    if depth > 8:
        return value
    if isinstance(value, Mapping):
        return {
            key: MASK
            if isinstance(key, str) and SENSITIVE_KEY.search(key)
            else mask_value(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        masked = [mask_value(item, depth + 1) for item in value]
        return tuple(masked) if isinstance(value, tuple) else masked
    if isinstance(value, str):
        return mask_text(value)
    return value


# Attributes every LogRecord has; anything else came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}


def record_extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _RECORD_ATTRIBUTES}


class SecretMaskingFilter(logging.Filter):
    """Mask passwords, tokens, keys and card data in a record's message, args and extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if record.args:
            if isinstance(record.args, Mapping):
                record.args = mask_value(record.args)
            else:
                record.args = tuple(mask_value(arg) for arg in record.args)
        for key, value in record_extras(record).items():
            setattr(record, key, MASK if SENSITIVE_KEY.search(key) else mask_value(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id and the extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for key, value in record_extras(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

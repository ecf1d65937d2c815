"""Validating request bodies with DRF serializers made once per thread.

DRF deep-copies every declared field each time a serializer is made: for a body with a
nested address and lines that is about a millisecond of a checkout request, more than
the validation itself. A serializer that only validates keeps nothing of a request
once it is done but its last input, errors and result, so each thread keeps one
instance per serializer class and hands it the next body; its fields stay bound within
that one instance. An instance already in use (a serializer validating inside another
of the same class) is never shared: a new one is made for it.
"""

from __future__ import annotations

import threading
from typing import Any

from rest_framework import serializers

# Bounds of integers taken from requests: the largest value an integer column holds on
# PostgreSQL (far beyond any count of units), and the largest id. A huge number is then a
# field error, never an overflow in the database (or a server error on SQLite).
INTEGER_MAX = 2_147_483_647
ID_MAX = 2**63 - 1

_kept = threading.local()
_RESULTS = ("_validated_data", "_errors", "_data")


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """``serializer_class(data=data)`` validated: its validated data, or DRF's
    ValidationError as ``is_valid(raise_exception=True)`` raises it."""
    kept: dict[type, serializers.Serializer] = _kept.__dict__.setdefault("serializers", {})
    busy: set[type] = _kept.__dict__.setdefault("busy", set())
    if serializer_class in busy:
        fresh = serializer_class(data=data)
        fresh.is_valid(raise_exception=True)
        return dict(fresh.validated_data)
    serializer: serializers.Serializer | None = kept.get(serializer_class)
    if serializer is None:
        serializer = kept[serializer_class] = serializer_class(data=data)
    else:
        serializer.initial_data = data
    busy.add(serializer_class)
    try:
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
    finally:
        busy.discard(serializer_class)
        # Nothing of the body is kept past the request.
        serializer.initial_data = None
        for name in _RESULTS:
            serializer.__dict__.pop(name, None)

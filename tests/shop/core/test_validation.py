"""Request bodies validated by serializers kept one per class and thread
(shop/core/validation.py): each body is judged on its own, whatever came before."""

from __future__ import annotations

import threading

import pytest
from rest_framework import serializers

from shop.checkout.apis import CartCreateApi
from shop.core import validation
from shop.core.validation import validated
from tests.shop.conftest import ADDRESS_CN


class Body(serializers.Serializer):
    email = serializers.EmailField(required=False)
    count = serializers.IntegerField(min_value=1)


def test_each_body_is_judged_on_its_own():
    assert validated(Body, {"email": "a@example.com", "count": 2}) == {
        "email": "a@example.com",
        "count": 2,
    }
    # Nothing of the body before is kept: no e-mail this time.
    assert validated(Body, {"count": 3}) == {"count": 3}
    with pytest.raises(serializers.ValidationError) as refused:
        validated(Body, {"count": 0})
    assert set(refused.value.detail) == {"count"}
    assert validated(Body, {"count": 1}) == {"count": 1}


def test_one_serializer_per_class_serves_a_thread_and_keeps_no_body():
    validated(Body, {"email": "b@example.com", "count": 1})
    kept = validation._kept.serializers[Body]

    validated(Body, {"count": 5})

    assert validation._kept.serializers[Body] is kept
    assert kept.initial_data is None
    assert not hasattr(kept, "_validated_data")


def test_a_nested_address_and_lines_are_validated_each_time():
    good = {
        "lines": [{"sku": "A-1", "quantity": 2}],
        "email": "c@example.com",
        "shipping_address": ADDRESS_CN,
    }
    first = validated(CartCreateApi.InputSerializer, good)
    assert first["lines"] == [{"sku": "A-1", "quantity": 2, "personalisation": ""}]
    with pytest.raises(serializers.ValidationError) as refused:
        validated(
            CartCreateApi.InputSerializer,
            {"lines": [{"sku": "A-1", "quantity": 0}], "shipping_address": {"name": "x"}},
        )
    assert set(refused.value.detail) == {"lines", "shipping_address"}
    again = validated(CartCreateApi.InputSerializer, {"lines": [{"sku": "B-2", "quantity": 1}]})
    assert again == {"lines": [{"sku": "B-2", "quantity": 1, "personalisation": ""}]}


def test_threads_do_not_share_serializers():
    validated(Body, {"count": 1})
    mine = validation._kept.serializers[Body]
    theirs = []

    def other() -> None:
        validated(Body, {"count": 2})
        theirs.append(validation._kept.serializers[Body])

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()

    assert theirs and theirs[0] is not mine


def test_a_serializer_validating_inside_itself_gets_a_new_instance():
    seen = []

    class Outer(serializers.Serializer):
        count = serializers.IntegerField()

        def validate(self, attrs):
            if attrs["count"] > 0:
                seen.append(validated(Outer, {"count": attrs["count"] - 1}))
            return attrs

    assert validated(Outer, {"count": 2}) == {"count": 2}
    assert seen == [{"count": 0}, {"count": 1}]

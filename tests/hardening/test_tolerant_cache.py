"""The shop's Redis cache: Redis down is a miss and a no-op, warned about once in a while."""

from __future__ import annotations

import logging

import pytest

from shop.core.cache import TolerantRedisCache

DOWN = "redis://127.0.0.1:1/0"


def _cache(location: str = DOWN) -> TolerantRedisCache:
    return TolerantRedisCache(location, {"KEY_PREFIX": "faults-cache-test"})


def test_with_redis_down_reads_miss_and_writes_do_nothing(caplog):
    cache = _cache()
    with caplog.at_level(logging.WARNING, logger="shop.core.cache"):
        assert cache.get("k") is None
        assert cache.get("k", "fallback") == "fallback"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.get_or_set("k", 7) == 7
        assert cache.set("k", 1) is None
        assert cache.add("k", 1) is False
        assert cache.has_key("k") is False
        assert cache.touch("k") is False
        assert cache.delete("k") is False
        assert cache.set_many({"a": 1}) == ["a"]
        cache.delete_many(["a"])
        cache.clear()
        with pytest.raises(ValueError):  # what a missing key gives, as callers expect
            cache.incr("k")

    warnings = [r for r in caplog.records if r.name == "shop.core.cache"]
    assert len(warnings) == 1  # not one per call
    assert "cache unavailable" in warnings[0].getMessage()


def test_the_outage_warning_comes_again_after_its_interval(caplog):
    cache = _cache()
    clock = [1000.0]
    cache.clock = lambda: clock[0]  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="shop.core.cache"):
        cache.get("k")
        clock[0] += cache.WARNING_INTERVAL - 1
        cache.get("k")
        clock[0] += 2
        cache.get("k")
    assert len([r for r in caplog.records if r.name == "shop.core.cache"]) == 2


def test_with_redis_up_it_is_an_ordinary_cache(settings):
    cache = _cache(settings.REDIS_URL)
    cache.set("answer", {"a": 1}, 30)
    assert cache.get("answer") == {"a": 1}
    assert cache.add("count", 0) is True
    assert cache.incr("count") == 1
    cache.delete_many(["answer", "count"])
    assert cache.get("answer") is None


def test_short_socket_timeouts_by_default_and_options_win():
    assert _cache()._options["socket_timeout"] == TolerantRedisCache.DEFAULT_SOCKET_TIMEOUT
    custom = TolerantRedisCache(DOWN, {"OPTIONS": {"socket_timeout": 5}})
    assert custom._options["socket_timeout"] == 5
    assert custom._options["socket_connect_timeout"] == 1.0

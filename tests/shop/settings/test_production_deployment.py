"""Production settings for the deployed stack: hashed static names, cache and broker
apart, one beat, and PgBouncer in transaction mode."""

from __future__ import annotations

import json

import pytest

from tests.shop.settings.test_security_settings import run_production

READ = (
    "from django.conf import settings as s; import json; "
    "d = s.DATABASES['default']; "
    "print(json.dumps({'static': s.STORAGES['staticfiles']['BACKEND'], "
    "'cache': s.CACHES['default']['LOCATION'], 'broker': s.CELERY_BROKER_URL, "
    "'beat': s.CELERY_BEAT_SCHEDULER, 'prepare': d['OPTIONS'].get('prepare_threshold', 'unset'), "
    "'server_side_cursors_off': d.get('DISABLE_SERVER_SIDE_CURSORS', False)}))"
)


def read_production(**extra: str) -> dict:
    return json.loads(run_production(READ, extra).strip().splitlines()[-1])


def test_production_hashes_static_names_and_defaults_cache_and_broker_to_redis_url():
    values = read_production()
    assert values == {
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "cache": "redis://redis.example.com:6379/0",
        "broker": "redis://redis.example.com:6379/0",
        "beat": "shop.core.beat_lock:SingleBeatScheduler",
        "prepare": 5,
        "server_side_cursors_off": False,
    }


def test_cache_and_broker_each_take_their_own_url():
    values = read_production(
        CACHE_URL="redis://cache.example.com:6379/0",
        CELERY_BROKER_URL="redis://broker.example.com:6379/0",
    )
    assert (values["cache"], values["broker"]) == (
        "redis://cache.example.com:6379/0",
        "redis://broker.example.com:6379/0",
    )


def test_behind_pgbouncer_in_transaction_mode_nothing_is_prepared_and_no_cursor_is_kept():
    values = read_production(DATABASE_POOLER="transaction", DATABASE_PREPARE_THRESHOLD="5")
    assert (values["prepare"], values["server_side_cursors_off"]) == (None, True)


def test_a_pooler_mode_that_does_not_exist_is_refused():
    with pytest.raises(AssertionError, match="DATABASE_POOLER"):
        run_production("", {"DATABASE_POOLER": "statement"})

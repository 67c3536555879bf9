"""A cache store that stops answering is a miss, never an error; nothing written before the
outage is trusted after it; rate-limit counters carry on in memory meanwhile.

Each test runs a redis-server of its own on a free port, and stops or freezes it."""

import logging
import pickle
import time

import pytest
import redis
from django.db import OperationalError, connection, transaction
from redis.exceptions import RedisError

from caching import backends
from caching.backends import FaultTolerantDatabaseCache, without_password


def until(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "it did not happen in time"
        time.sleep(0.05)


def test_a_stopped_store_is_a_miss_and_a_skipped_write(own_redis, redis_cache):
    cache = redis_cache()
    cache.set("page", "rendered")
    own_redis.stop()
    assert cache.get("page") is None
    assert cache.get_many(["page", "other"]) == {}
    assert cache.get("page", "default") == "default"
    assert cache.add("new", 1) is False
    cache.set("page", "again")  # no error
    cache.delete("page")
    assert cache.has_key("page") is False


def test_the_outage_is_logged_once_not_per_call(own_redis, redis_cache, caplog):
    cache = redis_cache()
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="caching.backends"):
        for _ in range(50):
            cache.get("page")
            time.sleep(0.01)
    assert len(caplog.records) == 1, [r.getMessage() for r in caplog.records]
    assert "not answering" in caplog.records[0].getMessage()


def test_the_store_is_used_again_when_it_comes_back(own_redis, redis_cache):
    cache = redis_cache()
    own_redis.stop()
    cache.set("page", "lost")
    own_redis.start()
    until(lambda: cache.add("page", "kept") or cache.get("page") == "kept")
    assert cache.get("page") == "kept"


def test_nothing_written_before_an_outage_is_served_after_it(own_redis, redis_cache):
    """Frozen, Redis keeps its entries; a logout or a cancelled subscription could not delete
    theirs meanwhile. Once it answers, the first call empties it of the site's entries."""
    cache = redis_cache()
    cache.set("session:abc", {"user": 7})
    cache.set("generation:content", 1)
    own_redis.pause()
    cache.delete("session:abc")  # the logout: lost
    own_redis.resume()
    until(lambda: not backends.health_of(cache.health.name).is_open())
    assert cache.get("session:abc") is None
    assert cache.get("generation:content") is None


def test_a_process_that_lost_a_write_empties_the_store_even_if_idle(own_redis, redis_cache):
    cache = redis_cache()
    cache.set("session:abc", {"user": 7})
    own_redis.pause()
    cache.delete("session:abc")
    own_redis.resume()
    raw = redis.Redis(port=own_redis.port)
    until(lambda: not raw.keys("test:*"))  # no further call to the cache was needed


def test_other_sites_sharing_the_server_keep_their_entries(own_redis, redis_cache):
    cache = redis_cache()
    raw = redis.Redis(port=own_redis.port)
    raw.set("other-site:1:page", "theirs")
    cache.set("page", "ours")
    own_redis.pause()
    cache.delete("page")
    own_redis.resume()
    until(lambda: not raw.keys("test:*"))
    assert raw.get("other-site:1:page") == b"theirs"


def test_rate_limit_counters_carry_on_in_memory_while_the_store_is_away(own_redis, redis_cache):
    cache = redis_cache()
    own_redis.stop()
    assert cache.add("rl:login:ip", 0) is True
    assert cache.incr("rl:login:ip") == 1
    assert cache.incr("rl:login:ip", 4) == 5
    assert cache.get("rl:login:ip") == 5
    assert cache.add("page", 0) is False  # anything else is still a miss


def test_allauth_login_limits_hold_while_the_store_is_away(own_redis, redis_cache, rf, monkeypatch):
    from allauth.core.internal import ratelimit

    cache = redis_cache()
    cache.fallback_prefixes = ("allauth:rl:",)
    monkeypatch.setattr(ratelimit, "cache", cache)
    own_redis.stop()
    request = rf.post("/accounts/login/")
    request.user = None
    config = {"login_failed": "3/300s/ip"}

    def consume():
        return ratelimit.consume(request, app="test", action="login_failed", config=config)

    assert [bool(consume()) for _ in range(5)] == [True, True, True, False, False]


@pytest.mark.django_db
def test_a_missing_cache_table_is_a_miss(settings):
    cache = FaultTolerantDatabaseCache("no_such_table", {})
    assert cache.get("page") is None
    cache.set("page", "rendered")


@pytest.mark.django_db
def test_a_failed_cache_query_leaves_the_requests_transaction_usable():
    cache = FaultTolerantDatabaseCache("no_such_table", {})
    with transaction.atomic():
        assert cache.get("page") is None
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)


def test_a_failure_while_the_store_is_emptied_keeps_the_outage_open(
    own_redis, redis_cache, monkeypatch
):
    cache = redis_cache()
    own_redis.stop()
    cache.get("page")
    own_redis.start()
    emptying = type(cache)._delete_every_entry

    def interrupted(self):
        emptying(self)
        self.health.failed(RedisError("another thread's call failed meanwhile"))

    monkeypatch.setattr(type(cache), "_delete_every_entry", interrupted)
    until(lambda: not cache.health.is_open())
    cache.get("page")
    assert cache.health.outage  # not closed over a failure: emptied again next time
    monkeypatch.setattr(type(cache), "_delete_every_entry", emptying)
    until(lambda: cache.get("page") is None and not cache.health.outage)


def test_writes_skipped_while_the_store_is_emptied_are_deleted_after(
    own_redis, redis_cache, monkeypatch
):
    cache = redis_cache()
    own_redis.stop()
    cache.get("page")
    own_redis.start()
    emptying = type(cache)._delete_every_entry

    def meanwhile(self):
        emptying(self)
        # Another process, which never saw the outage, stores an entitlement it computed before
        # a cancellation committed; this process's delete of it is skipped during the emptying.
        redis.Redis(port=own_redis.port).set(self.make_key("entitlements:7"), b"stale")
        self._lost_write(["entitlements:7"])

    monkeypatch.setattr(type(cache), "_delete_every_entry", meanwhile)
    until(lambda: not cache.health.is_open())
    cache.get("page")
    assert not redis.Redis(port=own_redis.port).exists(cache.make_key("entitlements:7"))


def test_an_entry_that_cannot_be_unpickled_is_a_miss_and_is_deleted(own_redis, redis_cache):
    cache = redis_cache()
    raw = redis.Redis(port=own_redis.port)
    raw.set(cache.make_key("page"), pickle.dumps(object).replace(b"builtins", b"vanished"))
    assert cache.get("page") is None
    assert not raw.exists(cache.make_key("page"))


def test_a_redis_password_never_reaches_the_logs():
    assert without_password("rediss://site:s3cret@cache.example:6380/2") == (
        "rediss://cache.example:6380/2"
    )
    assert without_password("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


@pytest.mark.django_db(transaction=True)
def test_the_database_cache_is_never_emptied_inside_a_transaction(settings):
    """Rolled back with the request, the emptying would be undone while counted as done."""
    from django.core.management import call_command

    settings.CACHES = {
        "default": {"BACKEND": "caching.backends.FaultTolerantDatabaseCache", "LOCATION": "t"}
    }
    call_command("createcachetable")
    cache = FaultTolerantDatabaseCache("t", {})
    cache.set("page", "before the outage")
    cache.health.failed(OperationalError("the database went away"))
    cache.health.down_until = 0
    with transaction.atomic():
        assert cache.get("page") is None  # a miss, not a read of what may be stale
        assert cache.health.outage
    assert cache.get("page") is None
    assert not cache.health.outage

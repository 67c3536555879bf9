import pytest
from django.core.cache import cache

from caching import backends
from caching.local import clear_every_cache
from tests import smtp
from tests.servers import RedisServer


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Fast hashing, uploads in a throwaway folder, and no cache carried over between tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EDITIONS_ROOT = tmp_path / "editions"
    settings.SITE_URL = "https://magazine.example"
    cache.clear()
    clear_every_cache()
    yield
    cache.clear()
    clear_every_cache()


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, which it may stop, freeze and start again."""
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def redis_cache(own_redis, monkeypatch):
    """Makes the site's cache backend on `own_redis`, tried again 0.2 s after a failure."""
    monkeypatch.setattr(backends, "RETRY_SECONDS", 0.2)
    backends._health.clear()

    def make():
        return backends.FaultTolerantRedisCache(
            own_redis.url,
            {
                "KEY_PREFIX": "test",
                "OPTIONS": {
                    "SOCKET_CONNECT_TIMEOUT": 0.2,
                    "SOCKET_TIMEOUT": 0.2,
                    "FALLBACK_PREFIXES": ["rl:"],
                },
            },
        )

    yield make
    for health in backends._health.values():  # the background retries of this test's server end
        health.down_until, health.outage = float("inf"), False


@pytest.fixture
def smtp_inbox(settings):
    """The site's email sent through a real SMTP server on localhost, kept in an `Inbox`."""
    inbox, controller = smtp.serving(settings)
    yield inbox
    controller.stop()

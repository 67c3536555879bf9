import pytest
from django.core.cache import cache

from caching.local import clear_every_cache


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Fast hashing, uploads in a throwaway folder, and no cache carried over between tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://magazine.example"
    cache.clear()
    clear_every_cache()
    yield
    cache.clear()
    clear_every_cache()

"""Sessions that are not remembered end on the server too, after a period of inactivity.

A session without an explicit expiry (a login that was not "remembered", or one made by a way of
logging in that does not ask) has a browser-session cookie. Browsers that restore such cookies
after a restart would keep it alive for SESSION_COOKIE_AGE; here its server-side lifetime is
SESSION_IDLE_TIMEOUT instead, renewed by activity (see SessionActivityMiddleware).
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.utils import timezone

from caching import batch


class SessionStore(CachedDBStore):
    def get_session_cookie_age(self):
        # Only consulted for sessions without an explicit expiry: the not-remembered ones.
        return settings.SESSION_IDLE_TIMEOUT

    def load(self):
        # The page may have fetched the session with what else it reads, in one round trip.
        data = batch.held(self.cache_key) if self.session_key else None
        return super().load() if data is None else data

    def exists(self, session_key):
        """Whether the session is still alive (an expired one no longer counts)."""
        if session_key and self._cache.get(self.cache_key_prefix + session_key) is not None:
            return True
        return self.model.objects.filter(
            session_key=session_key, expire_date__gt=timezone.now()
        ).exists()

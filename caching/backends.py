"""Cache backends for which a fault of the store is a miss, never an error page.

The cache only ever holds what the database can recompute, so when its store (Redis, or the
database cache table) stops answering, the site carries on without it: every read is a miss,
every write is skipped, and pages are built from the database — slower, never a 500. The outage
is logged once per process, not per request, and the store is tried again after
`RETRY_SECONDS`, so a dead store costs each process one timeout at a time, not one per call.

Two things must not be lost on the way:

- **Invalidations.** A generation that could not be moved, or an entry that could not be deleted
  (a logout, a cancelled subscription), would let the store serve what it held before the
  change once it answers again. So a process that saw the outage empties the store of the
  site's entries as soon as it answers again: nothing written before an outage is trusted after
  it. A process that could not write keeps trying in the background, so an idle one does too.
- **Rate limits.** A limit whose counter is gone would let a login be brute-forced, or the share
  form be used as a mail relay, for as long as the store is down. Keys under `FALLBACK_PREFIXES`
  (an option: the counters' prefixes) are counted in this process's memory meanwhile: with N
  processes a limit allows at most N times its count, and never becomes a bypass.
"""

import logging
import pickle
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    connections,
    router,
    transaction,
)
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from caching.local import clear_every_cache

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
# What unpickling a cached value raises when its class changed since it was stored.
UNREADABLE = (pickle.UnpicklingError, EOFError, ImportError, AttributeError)


class Health:
    """A store's state as this process sees it, shared by all its threads."""

    def __init__(self, name):
        self.name = name
        self.lock = threading.Lock()
        self.down_until = 0.0  # while in the future, the store is not asked at all
        self.outage = False  # the store failed, and has not been emptied since
        self.recovering = False  # a thread is emptying it: nobody else uses it meanwhile
        self.failures = 0  # a recovery counts only if the store did not fail while it ran
        self.skipped = set()  # keys whose writes were skipped while it was being emptied
        self.retrying = False  # a thread keeps trying the store in the background

    def is_open(self):
        return time.monotonic() < self.down_until

    def failed(self, error):
        with self.lock:
            first = not self.outage
            self.outage = True
            self.failures += 1
            self.down_until = time.monotonic() + RETRY_SECONDS
        if first:
            log.warning(
                "The cache (%s) is not answering: the site runs without it until it does (%s)",
                self.name,
                error,
            )

    def skipped_writes(self, keys):
        """Writes to `keys` could not be made: those skipped while the store is being emptied
        are deleted once it is (the emptying itself covers the ones before)."""
        with self.lock:
            if self.recovering:
                self.skipped.update(keys)

    def start_recovery(self):
        """The failure count to finish with, when this thread is to empty the store now; None
        when it needs no emptying, False when another thread is at it."""
        with self.lock:
            if not self.outage:
                return None
            if self.recovering:
                return False
            self.recovering = True
            self.skipped = set()
            return self.failures

    def recovered(self, failures):
        """Close the outage unless the store failed meanwhile; the keys to delete, or None."""
        with self.lock:
            self.recovering = False
            if self.failures != failures:
                return None
            self.outage = False
            skipped, self.skipped = self.skipped, set()
        log.warning("The cache (%s) answers again, emptied of what it held before", self.name)
        return skipped


def without_password(location):
    """A cache's location as logs may show it: a Redis URL without its user and password."""
    parts = urlsplit(location)
    if not parts.password and not parts.username:
        return location
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=host).geturl()


_health = {}
_health_lock = threading.Lock()
_calling = threading.local()  # whether this thread is inside a call to the real store


def health_of(name):
    with _health_lock:
        return _health.setdefault(name, Health(name))


class FaultTolerantCache:
    """Put before a Django cache backend class: its faults become misses (see the module)."""

    outage_errors = ()
    # Whether a process that lost a write keeps trying the store from a thread until it has
    # emptied it (an idle process included), rather than on its next call only.
    retries_in_background = True

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.fallback_prefixes = tuple(options.pop("FALLBACK_PREFIXES", ()))
        super().__init__(server, {**params, "OPTIONS": options})
        self.health = health_of(f"{type(self).__name__} {without_password(server)}")
        self.local = LocMemCache(f"fallback {server}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})

    # Django's cache API, each call guarded --------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._guard([key], lambda store: store.get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self._guard(keys, lambda store: store.get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guard([key], lambda store: store.has_key(key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, **kwargs):
        add = lambda store: store.add(key, value, timeout, version=version, **kwargs)  # noqa: E731
        return self._guard([key], add, False, write=True)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, **kwargs):
        set_ = lambda store: store.set(key, value, timeout, version=version, **kwargs)  # noqa: E731
        return self._guard([key], set_, None, write=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None, **kwargs):
        set_many = lambda store: store.set_many(data, timeout, version=version, **kwargs)  # noqa: E731
        return self._guard(list(data), set_many, list(data), write=True)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard([key], lambda store: store.touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guard([key], lambda store: store.delete(key, version), False, write=True)

    def delete_many(self, keys, version=None):
        return self._guard(keys, lambda store: store.delete_many(keys, version), None, write=True)

    def incr(self, key, delta=1, version=None):
        return self._guard([key], lambda store: store.incr(key, delta, version), None, write=True)

    def decr(self, key, delta=1, version=None):
        return self._guard([key], lambda store: store.decr(key, delta, version), None, write=True)

    def clear(self):
        self.local.clear()
        return self._guard([], lambda store: store.clear(), None, write=True)

    def is_answering(self):
        """Whether this process is using the store now (for a health check: it asks the store,
        whatever the pause after a failure, and empties it if an outage is not behind it yet)."""
        try:
            self._call_store(lambda store: store.has_key("caching:health"))
        except self.outage_errors as error:
            self.health.failed(error)
            return False
        return self._recovered()

    # How a call is guarded ------------------------------------------------------------------------

    def _guard(self, keys, call, default, *, write=False):
        """`call(store)` on the shared store; while it is down, on this process's memory for
        rate-limit counters, else `default` (and a write noted as lost)."""
        if getattr(_calling, "store", False):
            return call(super())  # the store calling its own API (get → get_many): unguarded
        if not self.health.is_open() and self._recovered():
            _calling.store = True
            try:
                return self._call_store(call)
            except self.outage_errors as error:
                self.health.failed(error)
            except UNREADABLE:
                if write:
                    raise
                return self._unreadable(keys, default)
            finally:
                _calling.store = False
        if keys and all(str(key).startswith(self.fallback_prefixes) for key in keys):
            return call(self.local)
        if write:
            self._lost_write(keys)
        return default

    def _unreadable(self, keys, default):
        """An entry that cannot be unpickled (its class changed in a deploy) is a miss, and is
        deleted so that the next request stores a readable one."""
        log.warning("Unreadable cache entries %s: deleted", keys)
        _calling.store = True
        try:
            self._call_store(lambda store: store.delete_many(keys))
        except self.outage_errors as error:
            self.health.failed(error)
        return default

    def _recovered(self):
        """Whether the store may be used: it has had no outage, or has been emptied since (by
        this thread now, which the others wait for by doing without the store meanwhile)."""
        if self.health.outage and not self._may_empty_now():
            return False
        failures = self.health.start_recovery()
        if failures is None:
            return True
        if failures is False:
            return False
        _calling.store = True
        try:
            self._call_store(lambda store: self._delete_every_entry())
            skipped = self.health.recovered(failures)
            if skipped:
                self._call_store(lambda store: store.delete_many(list(skipped)))
        except self.outage_errors as error:
            self.health.recovering = False
            self.health.failed(error)
            return False
        finally:
            _calling.store = False
        clear_every_cache()
        self.local.clear()
        return skipped is not None

    def _may_empty_now(self):
        return True

    def _call_store(self, call):
        return call(super())

    def _lost_write(self, keys):
        self.health.skipped_writes(keys)
        with self.health.lock:
            start = self.retries_in_background and not self.health.retrying
            self.health.retrying = self.health.retrying or start
        if start:
            threading.Thread(target=self._retry_until_answered, daemon=True).start()

    def _retry_until_answered(self):
        """Until the store is back and emptied, even if this process gets no request."""
        try:
            while self.health.outage:
                time.sleep(RETRY_SECONDS)
                self.has_key("caching:probe")
        finally:
            self.health.retrying = False


class FaultTolerantRedisCache(FaultTolerantCache, RedisCache):
    """django-redis, surviving a Redis outage."""

    outage_errors = (ConnectionInterrupted, RedisError, OSError)

    def _delete_every_entry(self):
        # This site's prefix only: others may share the server. Large scans: fewer round trips.
        self.delete_pattern("*", itersize=1000)


class FaultTolerantDatabaseCache(FaultTolerantCache, DatabaseCache):
    """Django's database cache, the store every process shares when there is no Redis."""

    # The database out of reach, or its table missing (a deploy that has not run migrate); not
    # a query of the cache's own that failed on its data, which is a bug to see.
    outage_errors = (OperationalError, InterfaceError, ProgrammingError)
    # With the database gone nothing changes meanwhile, so nothing can be missed: the next
    # call that reaches it is soon enough.
    retries_in_background = False

    def _may_empty_now(self):
        """Not inside a transaction: rolled back with it, the emptying would be undone."""
        return not connections[router.db_for_write(self.cache_model_class)].in_atomic_block

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        """Django's, which keeps a failed write to itself (returns False): a write that did not
        happen is an outage here, so that the table is emptied once it answers."""
        stored = super()._base_set(mode, key, value, timeout)
        if stored is False and mode != "add":
            self.health.failed(OperationalError(f"the cache could not {mode} {key}"))
        return stored

    def _call_store(self, call):
        database = router.db_for_write(self.cache_model_class)
        if not connections[database].in_atomic_block:
            return call(super(FaultTolerantCache, self))
        # In a savepoint: on PostgreSQL a failed query would otherwise abort the transaction
        # of the request around it.
        with transaction.atomic(using=database):
            return call(super(FaultTolerantCache, self))

    def _delete_every_entry(self):
        super(FaultTolerantCache, self).clear()

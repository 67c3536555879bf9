"""A small cache in each server process, in front of the shared one, for values that carry
their own version.

A value kept here is only ever read back with the version it was stored with (a tuple of
generations, say), which every request reads fresh from the shared cache: a change made on any
server moves the version and the copy here is never used again. It saves the shared cache's
round trip, the transfer and the unpickling of large values such as a whole page. Entries also
keep the absolute expiry of the shared entry they copy, so they never outlive it.
"""

import time
from collections import OrderedDict
from threading import Lock

_every_cache = []


class LocalCache:
    """At most `size` entries, the least recently used dropped first. Thread-safe."""

    def __init__(self, size):
        self.size = size
        self._entries = OrderedDict()
        self._lock = Lock()
        _every_cache.append(self)

    def get(self, key, version):
        """The value stored under `key` with `version`, or None (missing, other, expired)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_version, expires_at, value = entry
            if stored_version != version or expires_at <= time.time():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def peek(self, key):
        """The value stored under `key` whatever its version, or None: only to guess with."""
        entry = self._entries.get(key)
        return None if entry is None else entry[2]

    def set(self, key, version, value, expires_at):
        """Keep `value` as `key` at `version` until `expires_at` (a `time.time()` instant)."""
        with self._lock:
            self._entries[key] = (version, expires_at, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()


def clear_every_cache():
    """Empty every local cache of this process (when the shared cache is emptied, in tests)."""
    for local in _every_cache:
        local.clear()

"""Reads of the shared cache that a page will make, gathered into one round trip.

A logged-in reader's article page reads a handful of small entries (their user, their
entitlements, the generations, the conversation's summary) from different modules, one after
another. Each read is a round trip to Redis, and the worker waits through each one. A view that
knows its reads in advance names them (a `cache_keys(request, user_id, **kwargs)` function on
the view); `RequestBatchMiddleware` fetches them together before the view runs and `get_many`
answers from that batch for the rest of the request.

Only GET and HEAD requests are batched, and the batch is what the cache held when the request
began, as if every read had been made then. Writes made through `put` and `delete` during the
request are seen by its later reads.
"""

import time
from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.cache import cache
from django.db import transaction

from caching.local import LocalCache

_MISSING = object()
_batch = ContextVar("request_cache_batch", default=None)


def get_many(keys):
    """`cache.get_many(keys)`, answered from the request's batch where it can be."""
    batch = _batch.get()
    if batch is None:
        return cache.get_many(keys)
    found, missing = {}, []
    for key in keys:
        value = batch.get(key)
        if value is None:
            missing.append(key)
        elif value is not _MISSING:
            found[key] = value
    if missing:
        found.update(cache.get_many(missing))
    return found


def get(key):
    return get_many([key]).get(key)


def put(key, value, timeout):
    cache.set(key, value, timeout)
    hold(key, value)


def hold(key, value):
    """Answer later reads of `key` in this request with `value` (just read or written)."""
    batch = _batch.get()
    if batch is not None:
        batch[key] = value


def now_and_at_commit(change):
    """Make a cache change now and, inside a transaction, again when it commits: a request that
    reads the old rows between a change and its commit would otherwise cache them anew."""
    change()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(change)


def delete(key):
    def forget():
        cache.delete(key)
        batch = _batch.get()
        if batch is not None:
            batch[key] = _MISSING

    now_and_at_commit(forget)


def held(key):
    """The value the request's batch holds for `key`, or None (not fetched, or not found)."""
    batch = _batch.get()
    value = None if batch is None else batch.get(key)
    return None if value is _MISSING else value


def fetch(keys):
    """Add `keys` (those not fetched yet) to the request's batch, in one round trip."""
    batch = _batch.get()
    wanted = [key for key in dict.fromkeys(keys) if key not in batch]
    if wanted:
        found = cache.get_many(wanted)
        batch.update({key: found.get(key, _MISSING) for key in wanted})


def session_user_id(request):
    """The id of the user the request's session is logged in as, without loading the user."""
    value = request.session.get(SESSION_KEY)
    return None if value is None else get_user_model()._meta.pk.to_python(value)


# Which user each session was logged in as when this process last saw it: a guess, checked
# against the session itself, that lets the session and its user's entries come in one batch.
SESSION_USERS = LocalCache(size=10_000)
SESSION_USERS_SECONDS = 60 * 60


class RequestBatchMiddleware:
    """Fetches the entries the resolved view names, with the session's, before it runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _batch.set({})
        try:
            return self.get_response(request)
        finally:
            _batch.reset(token)

    def process_view(self, request, view, args, kwargs):
        view_keys = getattr(getattr(view, "view_class", view), "cache_keys", None)
        if view_keys is None or request.method not in ("GET", "HEAD"):
            return None
        session_key = request.session.session_key
        guess = SESSION_USERS.get(session_key, None) if session_key else None
        stored_session = [request.session.cache_key] if session_key else []
        fetch([*stored_session, *view_keys(request, guess, **kwargs)])
        user_id = session_user_id(request)  # the session, from the batch
        if user_id != guess:
            fetch(view_keys(request, user_id, **kwargs))
            if session_key and user_id is not None:
                expires_at = time.time() + SESSION_USERS_SECONDS
                SESSION_USERS.set(session_key, None, user_id, expires_at)
        return None

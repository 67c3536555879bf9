"""Keys for cached pages and fragments that change as soon as what readers see changes.

Every cached page or fragment includes a generation in its key. A change to anything a reader
sees (an article, its authors or tags, a publication, section, issue) moves the content
generation; a comment moves the conversation generation. Old entries are never read again and
age out of the cache on their own.
"""

import time

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from magazine import request_cache

CONTENT = "generation:content"
CONVERSATIONS = "generation:conversations"


def generation(name):
    """The current value of generation `name` (a new one if the cache has lost it)."""
    value = request_cache.get(name)
    if value is None:
        value = time.time_ns()
        if not cache.add(name, value, timeout=None):
            value = cache.get(name, value)
        request_cache.hold(name, value)
    return value


def generations(*names):
    """Several generations in one cache round trip."""
    found = request_cache.get_many(names)
    return tuple(found[name] if name in found else generation(name) for name in names)


def current(key, names, compute, timeout):
    """The value cached under `key` if it was computed at the current value of the generations
    `names`, else `compute()` (cached for `timeout` seconds): one cache round trip when warm."""
    values, _ = current_values({key: (names, compute)}, timeout)
    return values[key]


def current_values(wanted, timeout):
    """`current` for several keys at once: `wanted` maps each key to (generation names,
    compute). Returns ({key: value}, {generation name: value}), in one round trip when warm."""
    names = sorted({name for needed, _ in wanted.values() for name in needed})
    found = request_cache.get_many([*names, *wanted])
    now = {name: found.get(name) for name in names}
    if None in now.values():
        now = dict(zip(names, generations(*names), strict=True))
    values = {}
    for key, (needed, compute) in wanted.items():
        tag = tuple(now[name] for name in needed)
        entry = found.get(key)
        if entry is not None and entry[0] == tag:
            values[key] = entry[1]
        else:
            values[key] = compute()
            request_cache.put(key, (tag, values[key]), timeout)
    return values, now


def move(name):
    """Move generation `name` (again when the transaction commits, so that nothing rendered from
    the old rows meanwhile is kept under the new generation)."""
    request_cache.now_and_at_commit(lambda: request_cache.put(name, time.time_ns(), None))


def content_changed(**kwargs):
    move(CONTENT)


def connect_content(*models, through=()):
    """Move the content generation whenever one of `models` (or an m2m `through`) changes."""
    for model in models:
        uid = f"content-generation-{model._meta.label}"
        post_save.connect(content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for relation in through:
        m2m_changed.connect(
            content_changed, sender=relation, dispatch_uid=f"content-generation-{relation}"
        )

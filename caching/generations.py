"""Generations: versions in the shared cache that move the moment what readers see changes.

Every cached value that shows something which can change is kept with the values of the
generations it was computed at, and read back only while they are still current. A change moves
its generation (`bump`), and entries computed before it are simply never read again; they age
out of the cache on their own. Apps name their own generations ("generation:content",
"generation:conversation:42") and say what moves them (`bump_on_change`, or `bump` in the write
path for changes that send no signal).
"""

import time

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from caching import batch

# Generations kept for a while rather than for ever, by the start of their names: there is one
# for each reader, and a lost generation only costs its entries a recomputation.
_lifetimes = {}


def generations_expire(prefix, seconds):
    """Generations named `prefix…` are kept `seconds` after they last moved (or were made)."""
    _lifetimes[prefix] = seconds


def lifetime(name):
    found = (seconds for prefix, seconds in _lifetimes.items() if name.startswith(prefix))
    return next(found, None)


def generation(name):
    """The current value of generation `name` (a new one if the cache has lost it)."""
    value = batch.get(name)
    if value is None:
        value = time.time_ns()
        if not cache.add(name, value, timeout=lifetime(name)):
            value = cache.get(name, value)
        batch.hold(name, value)
    return value


def generations(*names):
    """Several generations in one cache round trip."""
    found = batch.get_many(names)
    return tuple(found[name] if name in found else generation(name) for name in names)


def cached_at(key, *, generations, compute, timeout):
    """The value cached under `key` if it was computed at the current value of `generations`
    (a list of names), else `compute()`, cached for `timeout` seconds: one round trip when
    warm."""
    values, _ = cached_many({key: (generations, compute)}, timeout=timeout)
    return values[key]


def cached_many(wanted, *, timeout):
    """`cached_at` for several keys at once: `wanted` maps each key to (generation names,
    compute). Returns ({key: value}, {generation name: value}), in one round trip when warm."""
    names = sorted({name for needed, _ in wanted.values() for name in needed})
    found = batch.get_many([*names, *wanted])
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
            batch.put(key, (tag, values[key]), timeout)
    return values, now


def bump(name):
    """Move generation `name` (again when the transaction commits, so that nothing rendered from
    the old rows meanwhile is kept under the new generation)."""
    batch.now_and_at_commit(lambda: batch.put(name, time.time_ns(), lifetime(name)))


def bump_on_change(name, *models, through=()):
    """Move generation `name` whenever one of `models` (or an m2m `through` model) changes."""

    def changed(**kwargs):
        bump(name)

    for model in models:
        uid = f"{name}:{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
    for relation in through:
        m2m_changed.connect(changed, sender=relation, weak=False, dispatch_uid=f"{name}:{relation}")

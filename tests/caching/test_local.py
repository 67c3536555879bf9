"""The per-process cache gives a value back only at the version it was stored with, and only
until the shared entry it copies expires."""

import time

from caching.local import LocalCache


def test_a_value_comes_back_only_at_its_version():
    local = LocalCache(size=4)
    local.set("page", (1, 7), "rendered at 1, 7", time.time() + 60)
    assert local.get("page", (1, 7)) == "rendered at 1, 7"
    assert local.get("page", (1, 8)) is None
    assert local.get("page", (1, 7)) is None  # a newer version was seen: the old one is gone


def test_a_value_expires_with_the_entry_it_copies():
    local = LocalCache(size=4)
    local.set("page", None, "old", time.time() - 1)
    assert local.get("page", None) is None


def test_the_least_recently_used_value_goes_first():
    local = LocalCache(size=2)
    for key in ("a", "b"):
        local.set(key, None, key, time.time() + 60)
    local.get("a", None)
    local.set("c", None, "c", time.time() + 60)
    assert local.get("a", None) == "a"
    assert local.get("b", None) is None
    assert local.get("c", None) == "c"


def test_peek_guesses_whatever_the_version():
    local = LocalCache(size=2)
    local.set("article", 3, "an article", time.time() + 60)
    assert local.peek("article") == "an article"
    assert local.peek("missing") is None

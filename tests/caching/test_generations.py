"""Generations that expire: one per reader, kept for a while rather than for ever."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from caching.generations import bump, generation, generations_expire, lifetime

pytestmark = pytest.mark.django_db


def test_a_generation_of_an_expiring_kind_goes_after_its_time_and_others_stay():
    generations_expire("generation:test-expiring:", 60)
    assert lifetime("generation:test-expiring:7") == 60 and lifetime("generation:content") is None
    cache.delete_many(["generation:test-expiring:7", "generation:test-lasting"])
    bump("generation:test-expiring:7")
    generation("generation:test-lasting")
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert cache.get("generation:test-expiring:7") is None
        assert cache.get("generation:test-lasting") is not None

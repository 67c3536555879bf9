"""The test suite's settings: the site's own, with the cache in this process's memory.

In one process a memory cache is as coherent as a shared one, and it keeps cache reads out of
the query counts the suite asserts. The shared caches of real deployments — Redis, and the
database cache used without it — are tested across real processes, with their faults
(tests/test_scale_out.py, tests/test_coherence.py, tests/caching/test_backends.py).
"""

from magazine.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Messages go as fast as the test's mail server takes them; the pace itself is tested with a
# clock of its own (tests/newsletters/test_delivery.py).
NEWSLETTER_RATE_PER_SECOND = 0

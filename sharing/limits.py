"""How many share emails the site sends for one sender per hour, counted in the cache.

Each sender is counted per account and per IP address (anonymous senders, when allowed, only per
IP address and more strictly). Counts are per clock hour: `cache.incr` keeps them exact across
processes with Redis, and a window's key expires by itself.

allauth's limiter (which comments/flood.py uses) counts one hit per call; this one counts emails,
several per send, and can give them back when a send does not happen.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.cache import cache

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    counter: str
    allowed: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int = 0
    retry_after: int = 0

    def __bool__(self):
        return self.allowed


def limits_for(request):
    network = ratelimit.get_ip(request)  # for IPv6 its network, as allauth's own limits count

    if not request.user.is_authenticated:
        return [Limit(f"anonymous:{network}", settings.SHARING_ANONYMOUS_EMAILS_PER_HOUR_PER_IP)]
    return [
        Limit(f"user:{request.user.pk}", settings.SHARING_EMAILS_PER_HOUR_PER_USER),
        Limit(f"ip:{network}", settings.SHARING_EMAILS_PER_HOUR_PER_IP),
    ]


def _add(key, amount):
    """Add `amount` to the counter `key`, kept for the window. (`touch`: a cache whose `incr`
    is a read and a write, as the database cache's is, would give it its default timeout.)"""
    keep = int(WINDOW.total_seconds()) + 60
    cache.add(key, 0, timeout=keep)
    try:
        count = cache.incr(key, amount)
    except ValueError:  # the window ended between add and incr
        if amount < 0:
            return 0  # nothing left to give back
        cache.set(key, amount, timeout=keep)
        return amount
    cache.touch(key, keep)
    return count


def _window(now):
    start = now.replace(minute=0, second=0, microsecond=0)
    return start, int((start + WINDOW - now).total_seconds()) + 1


def _key(limit, window_start):
    return f"sharing:sent:{limit.counter}:{window_start:%Y%m%d%H}"


def take(request, emails, *, now):
    """Count `emails` against every limit of this sender — or, if one would be passed, none."""
    window_start, retry_after = _window(now)
    taken = []
    for limit in limits_for(request):
        key = _key(limit, window_start)
        taken.append(key)
        if _add(key, emails) > limit.allowed:
            for counted in taken:
                _add(counted, -emails)
            return Verdict(False, limit=limit.allowed, retry_after=retry_after)
    return Verdict(True)


def give_back(request, emails, *, now):
    """Undo a `take` whose emails were not sent after all."""
    window_start, _ = _window(now)
    for limit in limits_for(request):
        _add(_key(limit, window_start), -emails)

"""How many share emails the site sends for one sender per hour, counted in the cache.

Each sender is counted per account and per IP address (anonymous senders, when allowed, only per
IP address and more strictly). Counts are per clock hour: `cache.incr` keeps them exact across
processes with Redis, and a window's key expires by itself.
"""

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.adapter import get_adapter
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


def client_network(request):
    """The client's IP address; for IPv6 its /64, which one household or phone holds whole."""
    address = ipaddress.ip_address(get_adapter().get_client_ip(request))
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def limits_for(request):
    network = client_network(request)
    if not request.user.is_authenticated:
        return [Limit(f"anonymous:{network}", settings.SHARING_ANONYMOUS_EMAILS_PER_HOUR_PER_IP)]
    return [
        Limit(f"user:{request.user.pk}", settings.SHARING_EMAILS_PER_HOUR_PER_USER),
        Limit(f"ip:{network}", settings.SHARING_EMAILS_PER_HOUR_PER_IP),
    ]


def _add(key, amount):
    cache.add(key, 0, timeout=int(WINDOW.total_seconds()) + 60)
    try:
        return cache.incr(key, amount)
    except ValueError:  # the window ended between add and incr
        cache.set(key, amount, timeout=int(WINDOW.total_seconds()) + 60)
        return amount


def take(request, emails, *, now):
    """Count `emails` against every limit of this sender — or, if one would be passed, none."""
    window_start = now.replace(minute=0, second=0, microsecond=0)
    retry_after = int((window_start + WINDOW - now).total_seconds()) + 1
    taken = []
    for limit in limits_for(request):
        key = f"sharing:sent:{limit.counter}:{window_start:%Y%m%d%H}"
        taken.append(key)
        if _add(key, emails) > limit.allowed:
            for counted in taken:
                _add(counted, -emails)
            return Verdict(False, limit=limit.allowed, retry_after=retry_after)
    return Verdict(True)

"""Flood control: a pause between one reader's comments, and limits per reader and per IP
address over a window. Counted in the cache (shared between servers when REDIS_URL is set) by
allauth's rate limiter, which also finds the client's address behind trusted proxies."""

from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from allauth.core.internal import ratelimit
from django.conf import settings

APP = "comments"


@dataclass(frozen=True)
class Limit:
    action: str
    rate: str
    message: str


def limits():
    window = settings.COMMENTS_RATE_WINDOW_MINUTES
    per = f"{window * 60}s"
    return [
        Limit(
            "interval",
            f"1/{settings.COMMENTS_MIN_INTERVAL_SECONDS}s/user",
            f"You are commenting too quickly. Wait {settings.COMMENTS_MIN_INTERVAL_SECONDS} "
            "seconds between comments, then send it again.",
        ),
        Limit(
            "rate",
            f"{settings.COMMENTS_RATE_LIMIT_PER_USER}/{per}/user,"
            f"{settings.COMMENTS_RATE_LIMIT_PER_IP}/{per}/ip",
            f"You have posted the most comments allowed in {window} minutes. "
            "Please send this one a little later.",
        ),
    ]


def over_limit(request):
    """The message for the first limit this comment would break, or None; when there is none,
    the comment is counted against every limit."""
    for limit in limits():
        if not _consume(request, limit, dry_run=True):
            return limit.message
    for limit in limits():
        _consume(request, limit, dry_run=False)
    return None


def _consume(request, limit, *, dry_run):
    return ratelimit.consume(
        request,
        app=APP,
        action=limit.action,
        config={limit.action: limit.rate},
        dry_run=dry_run,
    )


def client_ip(request):
    """The reader's address, as the rate limits see it (behind ALLAUTH_TRUSTED_PROXY_COUNT
    proxies)."""
    return get_adapter(request).get_client_ip(request)

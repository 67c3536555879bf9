"""The meter: which of a publication's free articles a month a reader has read, kept on the
server's terms, and counting one more.

Only the article page asks for a meter (`metered`), and only its real GET counts: HEAD,
prefetches, feeds, search, email and gift links never do. A visitor's meter is one signed
cookie listing the articles and the days they were read; a reader's is rows in the database,
and the cookie's articles join them when the visitor logs in or signs up. A cookie that fails
its signature counts as an allowance used up: editing it never starts a reader over (deleting
it does — and the answer to that is the registration wall, not fingerprinting).
"""

import ipaddress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from magazine.models import Article
from paywall.access import SAMPLING_WINDOW, SUBSCRIBERS, Meter, Reason, Sample, allowance
from paywall.models import SampledRead

COOKIE = "meter"
SALT = "paywall.meter"
# More entries than any allowance needs: a cookie that grew past this keeps its latest.
MOST_SAMPLES = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def applies(article, reader, now):
    """Whether what `reader` gets of `article` may depend on their meter. (It repeats the
    rule's cheap checks on purpose: a subscriber's or staff member's page, or one of a title
    that does not sample, never reads a meter — no cookie parsed, no query.)"""
    return (
        article.access == SUBSCRIBERS
        and not article.exempt_from_sampling
        and not reader.is_staff
        and allowance(article.publication, reader) > 0
        and article.publication_id not in reader.subscribed_publication_ids(now)
        and article.pk not in reader.gifted_article_ids(now)
    )


def metered(request, article, now):
    """`request.reader`, with their meter when it may change what they get of `article`. A
    request that is not a GET (HEAD) may re-read what was counted, and count nothing new."""
    reader = request.reader
    if not applies(article, reader, now):
        return reader
    reader = reader._wrapped  # the Reader itself, behind the middleware's lazy object
    meter = meter_for(request, reader, now)
    if request.method != "GET":
        meter = replace(meter, exhausted=True)
    return replace(reader, meter=meter)


def meter_for(request, reader, now):
    site_cap = settings.PAYWALL_SAMPLING_SITE_CAP
    if reader.is_authenticated:
        rows = SampledRead.objects.filter(
            user_id=request.user.pk, read_at__gt=now - SAMPLING_WINDOW
        ).values_list("article_id", "publication_id", "read_at")
        return Meter(tuple(Sample(*row) for row in rows), site_cap=site_cap)
    samples, trusted = cookie_samples(request)
    exhausted = not trusted or network_used_up(request, now)
    return Meter(samples, exhausted=exhausted, site_cap=site_cap)


def is_new_sample(reader, article, access, now):
    """Whether this read of `article` is one more free article (not a re-read)."""
    return (
        reader.meter is not None
        and access.reason == Reason.SAMPLED
        and not reader.meter.has_sampled(article.pk, now)
    )


def same_for_every_newcomer(reader):
    """Whether the page (and the cookie it sets) is what every visitor without a meter gets:
    a first free article, counted the same way for each of them — unless the network cap makes
    each network's answer its own."""
    meter = reader.meter
    return (
        not reader.is_authenticated
        and not meter.samples
        and not meter.exhausted
        and not settings.PAYWALL_SAMPLING_PER_NETWORK_PER_DAY
    )


def count(request, response, reader, article, now):
    """Put `article` on the reader's meter: a row for a reader, the cookie for a visitor."""
    if reader.is_authenticated:
        SampledRead.objects.bulk_create(
            [
                SampledRead(
                    user_id=request.user.pk,
                    article_id=article.pk,
                    publication_id=article.publication_id,
                    read_at=now,
                )
            ],
            update_conflicts=True,  # counted again once its window has passed
            unique_fields=["user", "article"],
            update_fields=["read_at"],
        )
        return
    samples = [*reader.meter.current(now), Sample(article.pk, article.publication_id, now)]
    set_cookie(response, samples[-MOST_SAMPLES:])
    note_network(request, now)


@dataclass(frozen=True)
class Notice:
    """What the notice on a free article's page says: free articles left (this one counted,
    caps included) of the allowance, whether this read is the one that counted, and what a
    free account would give."""

    left: int
    allowance: int
    counting: bool
    more_with_an_account: int


def notice(reader, article, now, *, counting):
    publication = article.publication
    free = allowance(publication, reader)
    left = reader.meter.left(article.publication_id, free, now) - (1 if counting else 0)
    more = 0
    if not reader.is_authenticated and publication.free_articles_registered > free:
        more = publication.free_articles_registered
    return Notice(max(0, left), free, counting, more)


def prefetch_declined():
    """The answer to a prefetch of what would be a new free article: an error status, which
    browsers do not keep, so that only opening the page counts it."""
    response = HttpResponse(
        "Not prefetched: opening this article counts it as one of your free articles.",
        status=425,  # Too Early: "send it again when it is really wanted"
        content_type="text/plain; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


# The visitor's cookie ----------------------------------------------------------------------------


def cookie_samples(request):
    """The samples a visitor's cookie lists, and whether it could be believed."""
    if COOKIE not in request.COOKIES:
        return (), True
    try:
        value = request.get_signed_cookie(COOKIE, salt=SALT)
        return tuple(parse(value)), True
    except (signing.BadSignature, ValueError):
        return (), False


def parse(value):
    for entry in filter(None, value.split(".")):
        article_id, publication_id, day = (int(part) for part in entry.split("-"))
        yield Sample(article_id, publication_id, EPOCH + timedelta(days=day))


def set_cookie(response, samples):
    value = ".".join(
        f"{s.article_id}-{s.publication_id}-{(s.read_at - EPOCH).days}" for s in samples
    )
    response.set_signed_cookie(
        COOKIE,
        value,
        salt=SALT,
        max_age=int(SAMPLING_WINDOW.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def merge(sender, request, user, **kwargs):
    """On login or sign-up, the visitor's counted articles join the account's (an article
    already counted there is not counted twice; one deleted since is dropped) and the cookie
    goes. A cookie that failed its signature is dropped too: the account has its own meter."""
    if request is None or COOKIE not in request.COOKIES:
        return
    samples, trusted = cookie_samples(request)
    if trusted and samples:
        existing = set(
            Article.objects.filter(pk__in=[s.article_id for s in samples]).values_list(
                "pk", flat=True
            )
        )
        SampledRead.objects.bulk_create(
            [
                SampledRead(
                    user=user,
                    article_id=s.article_id,
                    publication_id=s.publication_id,
                    read_at=s.read_at,
                )
                for s in samples
                if s.article_id in existing
            ],
            ignore_conflicts=True,
        )
    request.meter_cookie = ()


def carry_out(sender, request, user, **kwargs):
    """On logout, the account's counted articles go with the browser, in the cookie: logging
    out is not a fresh allowance."""
    if request is None or user is None:
        return
    now = timezone.now()
    rows = SampledRead.objects.filter(user=user, read_at__gt=now - SAMPLING_WINDOW)
    request.meter_cookie = tuple(
        Sample(*row) for row in rows.values_list("article_id", "publication_id", "read_at")
    )


def settle_cookie(request, response):
    """Write the cookie a login emptied (see `merge`) or a logout filled (`carry_out`)."""
    samples = getattr(request, "meter_cookie", None)
    if samples is None:
        return
    if samples:
        set_cookie(response, list(samples)[-MOST_SAMPLES:])
    else:
        response.delete_cookie(COOKIE, samesite="Lax")


# The optional cap per network --------------------------------------------------------------------


def network_key(request, now):
    """A key for the visitor's network (/24, or /48 for IPv6), hashed with the site's key and
    the day: it names no address, and tomorrow's key shares nothing with today's. None when
    the request's address cannot be told (no cap, rather than no page)."""
    try:
        address = ipaddress.ip_address(get_adapter(request).get_client_ip(request))
    except (PermissionDenied, ImproperlyConfigured, ValueError):
        return None
    address = getattr(address, "ipv4_mapped", None) or address
    prefix = 24 if address.version == 4 else 48
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    digest = salted_hmac(f"paywall.meter.network.{now:%Y-%m-%d}", str(network)).hexdigest()
    return f"meter:network:{digest}"


def network_used_up(request, now):
    cap = settings.PAYWALL_SAMPLING_PER_NETWORK_PER_DAY
    key = network_key(request, now) if cap else None
    return key is not None and (cache.get(key) or 0) >= cap


def note_network(request, now):
    if not settings.PAYWALL_SAMPLING_PER_NETWORK_PER_DAY:
        return
    key = network_key(request, now)
    if key is None:
        return
    cache.add(key, 0, timeout=24 * 60 * 60)
    try:
        cache.incr(key)
    except ValueError:  # gone between the two: the count starts again
        cache.add(key, 1, timeout=24 * 60 * 60)

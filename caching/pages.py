"""One rendering of a page for every visitor who would see the same page.

A visitor with no session, no pending messages and none of the query parameters that make a
visitor someone in particular (a gift link, say) is nobody in particular, and every such visitor
gets the same page: `anonymous_page_cache` renders it once and serves it from the cache for a
short while, without looking further. A logged-in reader's article page is
the same for every reader the paywall lets in for the same reason, with the same say in the
conversation: `shared_response` keeps one rendering per such *variant*, which the view names
after deciding access for the request — the decision itself is never cached.

The one per-visitor part of these pages, the CSRF token of their forms, is taken out before
storing and put back fresh for each visitor.
"""

import hashlib
import logging
import re
import time
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _unmask_cipher_token, get_token

from caching.generations import generations
from caching.headers import keep_private
from caching.local import LocalCache

CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# What a masked CSRF token looks like (Django's CSRF_TOKEN_LENGTH characters of its alphabet).
CANDIDATE_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)
CSRF_PLACEHOLDER = b"\x00csrf\x00"
log = logging.getLogger(__name__)

# Pages as last stored or served by this process, under the same keys and versions as in the
# shared cache (a logged-in variant's key names everything it depends on; an anonymous page's
# version is the generations it was rendered at): no transfer or unpickling of the page itself.
PAGES = LocalCache(size=200)

# What apps tell the page cache about themselves, when they are ready: the generations that
# every anonymous page shows (the site's content, its conversations), and the query parameters
# that make a visitor someone in particular. This module imports none of them.
_anonymous_page_generations = []
_personal_parameters = set()
_visitor_cookies = set()


def anonymous_pages_show(name):
    """Every anonymous page may show what generation `name` versions: a cached anonymous page
    is served only while it is current."""
    if name not in _anonymous_page_generations:
        _anonymous_page_generations.append(name)


def personal_query_parameter(name):
    """A visitor whose URL carries `name` (a gift token, say) gets a page of their own."""
    _personal_parameters.add(name)


def visitor_cookie(name):
    """Cookie `name` makes whoever holds it someone in particular (a reader's meter, say): they
    never get or leave the page of a URL for everyone. A page may still give it to every plain
    visitor alike — the first free article's — and it is kept and given again with the page."""
    _visitor_cookies.add(name)


class StoredPage(NamedTuple):
    headers: tuple  # (name, value) pairs the view set: Content-Type, X-Robots-Tag…
    parts: tuple  # the page's bytes, split where each form's CSRF token goes
    expires_at: float  # as the shared cache's entry, in `time.time()` seconds
    cookies: tuple = ()  # (name, value, attributes) of the visitor cookies the view set


def is_plain_anonymous(request):
    """Whether the paywall would see nobody in particular: no session, messages or gift."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.COOKIES.get("messages")
        and _personal_parameters.isdisjoint(request.GET)
        and _visitor_cookies.isdisjoint(request.COOKIES)
    )


PURPOSE_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ")


def prefetching(request):
    """Whether the browser is only fetching the page in case it is opened (Chrome's speculation
    rules and `<link rel=prefetch>`, Firefox's `X-Moz`)."""
    purposes = (request.META.get(name, "") for name in PURPOSE_HEADERS)
    return any("prefetch" in purpose.lower() for purpose in purposes)


def has_messages(request):
    """Whether a message waits to be shown (the page would carry it)."""
    return bool(request.COOKIES.get("messages")) or "_messages" in getattr(request, "session", {})


def path_key(request):
    return hashlib.sha256(request.get_full_path().encode()).hexdigest()


def shared_response(request, variant, render):
    """The page for `request` as rendered for `variant` (a tuple naming everything the page
    depends on besides the URL), from the cache, or `render()`ed and kept there."""
    timeout = settings.MAGAZINE_PAGE_CACHE_SECONDS
    if not timeout or request.method != "GET" or has_messages(request):
        return render()
    key = f"page:shared:{hashlib.sha256(repr(variant).encode()).hexdigest()}:{path_key(request)}"
    stored = PAGES.get(key, None)
    if stored is None:
        stored = cache.get(key)
        if stored is not None:
            PAGES.set(key, None, stored, stored.expires_at)
    if stored is not None:
        return replay(request, stored)
    response = render()
    response.add_post_render_callback(lambda rendered: store(request, key, rendered, timeout))
    return response


def anonymous_page_key(request):
    return f"page:anonymous:{path_key(request)}"


def cached_anonymous_page(request):
    """The current cached rendering of this URL for a plain anonymous visitor, or None.

    The entry records the content and conversation generations it was rendered at; when this
    process holds that rendering, one small round trip for the generations is all it costs.
    """
    if not settings.MAGAZINE_PAGE_CACHE_SECONDS or not is_plain_anonymous(request):
        return None
    names = _anonymous_page_generations
    found = cache.get_many(names)
    current = tuple(found.get(name) for name in names)
    if None in current:
        return None
    key = anonymous_page_key(request)
    page = PAGES.get(key, current)
    if page is None:
        stored = cache.get(key)
        if stored is None or stored[0] != current:
            return None
        page = stored[1]
        PAGES.set(key, current, page, page.expires_at)
    if page.cookies and (request.method != "GET" or prefetching(request)):
        return None  # a page that counts something is given to a real visit only: the view says
    return replay(request, page)


class AnonymousPageMiddleware:
    """Answers a plain anonymous visitor from the cache before the rest of the stack runs.

    Only pages whose view is wrapped in `anonymous_page_cache` are ever stored, so a page found
    here is one such view rendered for such a visitor. It sits inside the CSRF middleware, which
    sets the token cookie the replayed page's forms need.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return cached_anonymous_page(request) or self.get_response(request)


def anonymous_page_cache(view):
    """Keep `view`'s rendering for plain anonymous visitors, one per URL, for
    `AnonymousPageMiddleware` to serve them."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        timeout = settings.MAGAZINE_PAGE_CACHE_SECONDS
        if not timeout or not is_plain_anonymous(request):
            return view(request, *args, **kwargs)
        key = anonymous_page_key(request)
        current = generations(*_anonymous_page_generations)  # rendered as of now, or older
        response = view(request, *args, **kwargs)
        if request.method != "GET" or getattr(response, "personal_page", False):
            return response
        if hasattr(response, "render") and callable(response.render):
            response.add_post_render_callback(
                lambda rendered: store(request, key, rendered, timeout, tag=current)
            )
        else:
            store(request, key, response, timeout, tag=current)
        return response

    return cached_view


def personal_page(response):
    """Mark `response` as shaped by this visitor (by what they have read, say): never kept as
    the page of its URL for every anonymous visitor. (A view may still share it, through
    `shared_response`, with the visitors its variant names.)"""
    response.personal_page = True


def store(request, key, response, timeout, tag=None):
    """Keep `response` (without its CSRF tokens) under `key` as a `StoredPage`, with `tag` if
    given. A page that still holds the request's token elsewhere than in a form's field (a
    template that writes it into a script, say) is not kept at all, nor one that sets a
    cookie other than a visitor cookie (`visitor_cookie`)."""
    if response.status_code != 200 or response.streaming:
        return
    if not _visitor_cookies.issuperset(response.cookies):
        return
    content = CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
    if holds_csrf_token(content, request):
        log.warning("Not caching %s: it holds a CSRF token outside a form field", request.path)
        return
    cookies = tuple((m.key, m.value, dict(m)) for m in response.cookies.values())
    page = StoredPage(
        tuple(response.items()),
        tuple(content.split(CSRF_PLACEHOLDER)),
        time.time() + timeout,
        cookies,
    )
    cache.set(key, page if tag is None else (tag, page), timeout)
    PAGES.set(key, tag, page, page.expires_at)


def holds_csrf_token(content, request):
    """Whether `content` holds the request's CSRF secret, or a token made from it."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return False
    if secret.encode() in content:
        return True
    return any(
        _unmask_cipher_token(candidate.decode()) == secret
        for candidate in CANDIDATE_TOKEN.findall(content)
    )


def replay(request, page):
    parts = page.parts
    content = get_token(request).encode().join(parts) if len(parts) > 1 else parts[0]
    response = HttpResponse(content, headers=dict(page.headers))
    for name, value, attributes in page.cookies:
        response.cookies[name] = value
        response.cookies[name].update(attributes)
    keep_private(response)  # anonymous today, logged in tomorrow: not for shared caches
    return response

"""The two promises the page cache rests on, tried on every kind of page:

- a rendering shared by several logged-in readers carries nothing personal to any of them;
- nothing stored in a cache — a whole page or a fragment of one — holds a CSRF token.
"""

import itertools
import pickle
import re
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import _mask_cipher_secret, _unmask_cipher_token, get_token
from django.test import Client
from django.test.signals import template_rendered

from accounts.models import FeedToken
from caching import pages
from comments.models import Ban, Comment
from magazine.models import Article
from tests.factories import (
    HIDDEN,
    make_article,
    make_author,
    make_comment,
    make_issue,
    make_publication,
    make_section,
    make_tag,
    make_user,
    subscribe,
)

pytestmark = pytest.mark.django_db

CANDIDATE_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


@pytest.fixture
def scene():
    """A subscribers-only article in a lively conversation: approved comments by subscribers
    (badges) and by other readers, a banned commenter, and five subscribers who each carry
    something of their own — a name, an address, a private feed, a ban (two of them, each with
    their own reason), a comment only they see."""
    publication = make_publication(slug="almanac")
    section = make_section(publication)
    article = make_article(section=section, access=Article.Access.SUBSCRIBERS, slug="fences")
    regular = make_user(display_name="Regular Commenter")
    subscribe(regular, publication)
    make_comment(article, regular, body="A subscriber's public remark.")
    make_comment(article, make_user(display_name="Passer By"), body="A reader's public remark.")
    troll = make_user(display_name="Banned Elsewhere")
    Ban.objects.create(user=troll, reason="Banned for a reason only they may read.")
    readers = {}
    names = ["Alice Amberley", "Bartholomew Brightwater", "Cordelia Cutwater", "Dmitri Dale",
             "Edmund Eastwick"]  # fmt: skip
    for name in names:
        first = name.split()[0].lower()
        user = make_user(f"{first}@example.com", display_name=name)
        subscribe(user, publication)
        token = FeedToken.objects.create(user=user)
        readers[first] = {"user": user, "marks": [name, user.email, token.key]}
    for first in ("cordelia", "edmund"):
        reason = f"{first.title()}-only ban reason."
        Ban.objects.create(user=readers[first]["user"], reason=reason)
        readers[first]["marks"].append(reason)
    make_comment(
        article,
        readers["dmitri"]["user"],
        body="Dmitri's remark awaiting moderation.",
        status=Comment.Status.PENDING,
    )
    readers["dmitri"]["marks"].append("Dmitri's remark awaiting moderation.")
    return article, readers


@contextmanager
def rendered_templates():
    names = []

    def record(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


def read_as(user, url):
    client = Client()
    client.force_login(user)
    with rendered_templates() as templates:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), templates


@pytest.mark.parametrize(
    "order",
    list(itertools.permutations(["alice", "bartholomew", "cordelia", "dmitri", "edmund"]))[::20],
)
def test_a_shared_rendering_carries_nothing_of_another_reader(scene, order):
    article, readers = scene
    url = article.get_absolute_url()
    replayed = 0
    for first in order:
        html, templates = read_as(readers[first]["user"], url)
        assert HIDDEN in html  # they may all read it
        replayed += "magazine/article.html" not in templates
        for other, reader in readers.items():
            if other != first:
                for mark in reader["marks"]:
                    assert mark not in html, f"{first}'s page shows {other}'s {mark!r}"
        assert "Banned for a reason only they may read." not in html
    # Alice and Bartholomew see the same page: one of them was served the other's rendering.
    assert replayed >= 1


def test_each_reader_still_sees_their_own_part_of_the_page(scene):
    article, readers = scene
    url = article.get_absolute_url()
    assert "Cordelia-only ban reason." in read_as(readers["cordelia"]["user"], url)[0]
    assert "Edmund-only ban reason." in read_as(readers["edmund"]["user"], url)[0]
    assert "Dmitri's remark awaiting moderation." in read_as(readers["dmitri"]["user"], url)[0]


# No CSRF token in any cache ----------------------------------------------------------------------


def every_page(article, free, issue, author, tag):
    publication = article.publication
    base = publication.get_absolute_url()
    return [
        "/",
        base,
        article.section.get_absolute_url(),
        f"{base}authors/{author.slug}/",
        f"{base}tags/{tag.slug}/",
        f"{base}issues/",
        issue.get_absolute_url(),
        f"{base}search/?q=fences",
        "/search/?q=fences",
        "/feeds/rss/",
        f"{base}feeds/atom/",
        article.get_absolute_url(),
        free.get_absolute_url(),
        f"{article.get_absolute_url()}?comments=1",
        "/sitemap.xml",
    ]


def stored_values():
    """Everything the caches of this process hold, as bytes: the shared cache's entries, and
    the per-process copies of pages."""
    values = [pickle.dumps(value) for value in cache._cache.values()]
    values += [pickle.dumps(entry) for entry in pages.PAGES._entries.values()]
    return values


def tokens_of(data, secrets):
    """The CSRF tokens in `data` made from one of `secrets`, and the secrets themselves."""
    found = [secret for secret in secrets if secret.encode() in data]
    for candidate in CANDIDATE_TOKEN.findall(data):
        if _unmask_cipher_token(candidate.decode()) in secrets:
            found.append(candidate.decode())
    return found


def test_no_cache_holds_a_csrf_token_after_every_kind_of_page(settings):
    assert "LocMemCache" in settings.CACHES["default"]["BACKEND"]  # read through cache._cache
    publication = make_publication(slug="almanac")
    section = make_section(publication)
    author, tag = make_author(), make_tag()
    issue = make_issue(publication)
    article = make_article(
        section=section,
        access=Article.Access.SUBSCRIBERS,
        authors=[author],
        tags=[tag],
        issue=issue,
        title="Fences",
    )
    free = make_article(section=section, title="Free fences", authors=[author], tags=[tag])
    subscriber, reader = make_user(), make_user()
    subscribe(subscriber, publication)
    make_comment(article, reader)
    make_comment(article, subscriber, status=Comment.Status.PENDING)
    clients = [Client(), Client(), Client(), Client()]
    clients[2].force_login(subscriber)
    clients[3].force_login(reader)
    for client, url in itertools.product(clients, every_page(article, free, issue, author, tag)):
        client.get(url)
        client.get(url)  # the second time from the cache, where there is one
    secrets = {
        _unmask_cipher_token(c.cookies["csrftoken"].value)
        if len(c.cookies["csrftoken"].value) == 64
        else c.cookies["csrftoken"].value
        for c in clients
        if "csrftoken" in c.cookies
    }
    assert secrets, "the pages had forms: their visitors got CSRF cookies"
    stored = stored_values()
    assert any(b"Free fences" in value for value in stored), "pages were cached"
    for value in stored:
        assert not tokens_of(value, secrets)


def test_the_search_for_tokens_finds_one_when_a_page_holds_it():
    secret = "a" * 32
    token = _mask_cipher_secret(secret)
    assert tokens_of(f'<i data-token="{token}"></i>'.encode(), {secret}) == [token]
    assert tokens_of(b"nothing here", {secret}) == []


def test_a_page_holding_a_token_outside_a_form_field_is_never_kept(rf):
    request = rf.get("/fences/")
    token = get_token(request)
    in_a_script = HttpResponse(f'<script>const token = "{token}";</script>')
    pages.store(request, "page:test", in_a_script, 60)
    assert cache.get("page:test") is None
    in_its_field = HttpResponse(f'<input name="csrfmiddlewaretoken" value="{token}">')
    pages.store(request, "page:test", in_its_field, 60)
    assert token.encode() not in b"".join(cache.get("page:test").parts)

"""Site search: one small interface over PostgreSQL's full-text search or SQLite's FTS5.

The index holds only what anyone may read (see `index`), so neither a match nor a snippet can
give away text behind the paywall, whoever searches; `engines` holds the two engines.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from magazine.models import Article
from magazine.now import start_of_day
from magazine.pages.search.engines import MARK_END, MARK_START, backend, snippet_source
from paywall.access import ANONYMOUS, readable_q

MARKERS = re.compile(f"([{MARK_START}{MARK_END}])")


@dataclass(frozen=True)
class Hit:
    article: Article
    snippet: str  # safe HTML: escaped text with the matches in <mark>


def search(terms, *, now, publication=None, section=None, since=None, until=None):
    """Published articles matching `terms`, most relevant first; filters narrow the results.

    `publication` and `section` are slugs; `since` and `until` are dates (both included).
    An article indexed with its whole text is left out unless the paywall, asked now, still
    lets anyone read it all: an index gone stale can hide an article, never give one away.
    """
    articles = (
        Article.objects.filter(Q(search_whole_text=False) | readable_q(ANONYMOUS, now=now))
        .published(now)
        .select_related("publication", "section")
        .prefetch_related("authors")
        .defer("body", "search_vector")
    )
    if publication:
        articles = articles.filter(publication__slug=publication)
    if section:
        articles = articles.filter(section__slug=section)
    if since:
        articles = articles.filter(publish_at__gte=start_of_day(since))
    if until:
        articles = articles.filter(publish_at__lt=start_of_day(until + timedelta(days=1)))
    return backend().ranked(articles, terms)


def result_cap():
    """The most results a search shows (more matches than this: the most recent ones)."""
    return backend().result_cap()


def hits(articles, terms):
    """Each article of a page of results with its highlighted snippet."""
    engine = backend()
    return [
        Hit(article, highlighted(elided(engine.snippet(article, terms), snippet_source(article))))
        for article in articles
    ]


def highlighted(marked):
    """Text with match markers as HTML: the text is escaped first, then each match is marked.

    Markers that do not pair up are dropped, so the result is always well-formed.
    """
    html, inside = [], False
    for piece in MARKERS.split(marked):
        if piece == MARK_START and not inside:
            html.append("<mark>")
            inside = True
        elif piece == MARK_END and inside:
            html.append("</mark>")
            inside = False
        elif piece not in (MARK_START, MARK_END):
            html.append(escape(piece))
    if inside:
        html.append("</mark>")
    return mark_safe("".join(html))  # every piece of text was escaped above


def elided(marked, source):
    """The snippet with an ellipsis where it starts after the start, or ends before the end,
    of what it quotes from."""
    quoted = " ".join(MARKERS.sub("", marked).split())
    whole = " ".join(source.split())
    if not quoted:
        return marked
    before = "" if whole.startswith(quoted) else "… "
    after = "" if whole.endswith(quoted) else " …"
    return f"{before}{marked}{after}"

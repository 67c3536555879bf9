"""Site search: one small interface over PostgreSQL full-text search, or a simpler match elsewhere.

The index holds only what anyone may read: the title, the standfirst and `Article.search_text`,
which is the whole body of an article an anonymous visitor may read and the teaser of any other.
So neither a match nor a snippet can give away text behind the paywall, whoever searches.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, Subquery, TextField, Value, When
from django.db.models.functions import Concat
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe

from magazine.changes import content_changed
from magazine.models import Article
from magazine.rendering import render_body
from paywall.access import ANONYMOUS, can_read, readable_q

# Private-use characters mark the matches in a snippet: nobody types them, and the text around
# them is escaped before they become <mark> elements.
MARK_START, MARK_END = "\ue000", "\ue001"
MARKERS = re.compile(f"([{MARK_START}{MARK_END}])")
SNIPPET_WORDS = 30
MAX_TERMS = 8


# What the index holds ----------------------------------------------------------------------------


def anonymous_may_read_whole(article):
    """Whether an anonymous visitor may read all of `article` once it is live (the paywall's rule,
    asked at its publish time): only then does the index hold more than its teaser."""
    return can_read(ANONYMOUS, article, now=article.publish_at or timezone.now()).allowed


def public_text(article):
    """(text, whole): the body text anyone may read, as plain text, and whether that is all of
    it. This is what search matches and quotes. (Rendered afresh: indexing a whole archive must
    not fill the cache with bodies nobody asked for.)"""
    whole = anonymous_may_read_whole(article)
    body = render_body(article, whole=whole)
    if whole:
        return f"{body.teaser_text}\n\n{body.rest_text}".strip(), True
    return body.teaser_text, False


def index_article(article):
    """Bring `article`'s entry in the search index up to date (runs after every save)."""
    text, whole = public_text(article)
    Article.objects.filter(pk=article.pk).update(
        search_text=text, search_whole_text=whole, **backend().indexed_fields(Value(text))
    )


def reindex(articles=None, *, batch_size=500):
    """Rebuild the index of `articles` (default: all); returns how many were indexed."""
    articles = Article.objects.all() if articles is None else articles
    batch, count = [], 0
    fields = ["search_text", "search_whole_text"]
    for article in articles.order_by("pk").iterator(chunk_size=batch_size):
        article.search_text, article.search_whole_text = public_text(article)
        batch.append(article)
        if len(batch) == batch_size:
            count += Article.objects.bulk_update(batch, fields)
            batch = []
    count += Article.objects.bulk_update(batch, fields)
    vector = backend().indexed_fields(F("search_text"))
    if vector:
        articles.update(**vector)
    content_changed()  # cached results pages predate the new index
    return count


def _index_on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        index_article(instance)


def connect():
    post_save.connect(_index_on_save, sender=Article, dispatch_uid="search-index-article")


# Searching ---------------------------------------------------------------------------------------


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


def start_of_day(date):
    return timezone.make_aware(datetime.combine(date, time.min))


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


def snippet_source(article):
    """What a snippet quotes from: the standfirst and the indexed body text."""
    return f"{article.dek}\n\n{article.search_text}".strip()


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


# Engines -----------------------------------------------------------------------------------------


class RankedMatches:
    """Matches in rank order, ranked once (one query) and fetched a page at a time (one more)."""

    def __init__(self, ranking, articles):
        self.ranking = ranking  # a queryset of the matches' primary keys, best first
        self.articles = articles

    @cached_property
    def pks(self):
        return list(self.ranking)

    def explain(self):
        return self.ranking.explain()

    def count(self):
        return len(self.pks)

    def __len__(self):
        return len(self.pks)

    def __getitem__(self, page):
        """The articles of `page`, a slice (all that Paginator asks for), in rank order."""
        wanted = self.pks[page]
        found = self.articles.in_bulk(wanted)
        return [found[pk] for pk in wanted if pk in found]


class PostgresSearch:
    """Full-text search with the configured language's stemming, on the stored, GIN-indexed
    vector: title weighs most (A), then the standfirst (B), then the body text (C)."""

    def config(self):
        return settings.MAGAZINE_SEARCH_CONFIG

    def result_cap(self):
        return settings.MAGAZINE_SEARCH_CANDIDATES

    def indexed_fields(self, text):
        config = self.config()
        vector = (
            SearchVector("title", weight="A", config=config)
            + SearchVector("dek", weight="B", config=config)
            + SearchVector(text, weight="C", config=config)
        )
        return {"search_vector": vector}

    def ranked(self, articles, terms):
        query = SearchQuery(terms, search_type="websearch", config=self.config())
        snippet = SearchHeadline(
            Concat("dek", Value("\n\n"), "search_text", output_field=TextField()),
            query,
            config=self.config(),
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_words=SNIPPET_WORDS,
            min_words=SNIPPET_WORDS // 2,
        )
        # Rank the most recent matches, not every one: a word found in most of a large archive
        # would otherwise mean ranking all of it on every request.
        candidates = (
            articles.filter(search_vector=query)
            .order_by("-publish_at")
            .values("pk")[: settings.MAGAZINE_SEARCH_CANDIDATES]
        )
        ranked = (
            articles.filter(pk__in=Subquery(candidates))
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-publish_at", "-pk")
            .values_list("pk", flat=True)
        )
        return RankedMatches(ranked, articles.annotate(search_snippet=snippet))

    def snippet(self, article, terms):
        return article.search_snippet


class SimpleSearch:
    """Every word (or "quoted phrase") of the query somewhere in the title, standfirst or body
    text, case-insensitive, and none of the -excluded ones; a match in the title counts most,
    then in the standfirst, then in the body."""

    WEIGHTS = {"title": 4, "dek": 2, "search_text": 1}
    TOKEN = re.compile(r'(-?)(?:"([^"]*)"|(\w+))')

    def indexed_fields(self, text):
        return {}

    def result_cap(self):
        return float("inf")

    def parse(self, terms):
        """(wanted, unwanted): the words and phrases to find, and those to leave out."""
        wanted, unwanted = [], []
        for minus, phrase, word in self.TOKEN.findall(terms.lower()):
            text = " ".join(phrase.split()) or word
            if text:
                (unwanted if minus else wanted).append(text)
        return wanted[:MAX_TERMS], unwanted[:MAX_TERMS]

    def found(self, text):
        return Q(*[Q(**{f"{field}__icontains": text}) for field in self.WEIGHTS], _connector=Q.OR)

    def ranked(self, articles, terms):
        wanted, unwanted = self.parse(terms)
        if not wanted:
            return articles.none()
        rank = Value(0)
        for text in wanted:
            articles = articles.filter(self.found(text))
            for field, weight in self.WEIGHTS.items():
                lookup = Q(**{f"{field}__icontains": text})
                rank += Case(When(lookup, then=weight), default=0, output_field=IntegerField())
        for text in unwanted:
            articles = articles.exclude(self.found(text))
        return articles.annotate(rank=rank).order_by("-rank", "-publish_at", "-pk")

    def snippet(self, article, terms):
        wanted, _ = self.parse(terms)
        tokens = snippet_source(article).split()
        text = " ".join(tokens).lower()
        first = text.find(wanted[0]) if wanted else -1
        start = max(0, len(text[:first].split()) - SNIPPET_WORDS // 3) if first > 0 else 0
        quoted = " ".join(tokens[start : start + SNIPPET_WORDS])
        if not wanted:
            return quoted
        pattern = re.compile("|".join(re.escape(text) for text in wanted), re.IGNORECASE)
        return pattern.sub(lambda match: f"{MARK_START}{match.group(0)}{MARK_END}", quoted)


def backend(using="default"):
    """The search engine for the database in use: views never need to know which it is."""
    if connections[using].vendor == "postgresql":
        return PostgresSearch()
    return SimpleSearch()

"""The two search engines behind one interface: PostgreSQL's full-text search, and SQLite's FTS5
(the embedded default). Both rank title over standfirst and bylines over body text, stem words
("hens" finds "hen"), keep a hyphenated word together, and search only what the index holds.

Each engine: `index(articles)` brings their entries up to date from their columns,
`forget(pks)`, `ranked(articles, terms)` the matches best first, `snippet(article, terms)` the
text quoted with the matches marked, `result_cap()` the most results ranked.
"""

import re

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection, connections
from django.db.models import F, OuterRef, Subquery, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from django.utils.functional import cached_property

from magazine.models import Article, Author

# Private-use characters mark the matches in a snippet: nobody types them, and the text around
# them is escaped before they become <mark> elements.
MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_WORDS = 30
MAX_TERMS = 8
# A term: a "quoted phrase" or a run of anything but spaces; a minus before it leaves it out.
TOKEN = re.compile(r'(?<!\S)(-?)(?:"([^"]*)"|([^\s"]+))')


def parse(terms):
    """(wanted, unwanted): the words and phrases to find, and those to leave out. A hyphen
    inside a word ("Ten-Minute") is part of it; only one before a term excludes it."""
    wanted, unwanted = [], []
    for minus, phrase, word in TOKEN.findall(terms.lower()):
        text = " ".join((phrase or word).split())
        if re.search(r"\w", text):
            (unwanted if minus else wanted).append(text)
    return wanted[:MAX_TERMS], unwanted[:MAX_TERMS]


def snippet_source(article):
    """What a snippet quotes from: the standfirst and the indexed body text."""
    return f"{article.dek}\n\n{article.search_text}".strip()


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
    vector: title weighs most (A), then the standfirst and the bylines (B), then the text (C)."""

    def config(self):
        return settings.MAGAZINE_SEARCH_CONFIG

    def result_cap(self):
        return settings.MAGAZINE_SEARCH_CANDIDATES

    def index(self, articles):
        config = self.config()
        names = (
            Author.objects.filter(articles=OuterRef("pk"))
            .values("articles")
            .annotate(names=StringAgg("name", " "))
            .values("names")
        )
        bylines = Coalesce(Subquery(names), Value(""), output_field=TextField())
        articles.update(
            search_vector=SearchVector("title", weight="A", config=config)
            + SearchVector("dek", weight="B", config=config)
            + SearchVector(bylines, weight="B", config=config)
            + SearchVector("search_text", weight="C", config=config)
        )

    def forget(self, pks):
        """The vector goes with its row."""

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


class SqliteSearch:
    """SQLite's FTS5 index beside the articles (`magazine_article_fts`, made by a migration):
    Porter stemming; articles whose title has every word first, then bm25 with the title
    weighing most, the standfirst and the bylines next, the text least. (On a small archive,
    where a common word's weight fades, bm25 alone lets a long body that repeats it outrank the
    title that names it: PostgreSQL's ranking keeps the title first, and so does this.)"""

    TABLE = "magazine_article_fts"
    BM25 = f"bm25({TABLE}, 10.0, 4.0, 4.0, 1.0)"  # title, standfirst, bylines, text

    def result_cap(self):
        return float("inf")

    def index(self, articles):
        pks = list(articles.values_list("pk", flat=True))
        self.forget(pks)
        byline = Article.authors.through._meta
        authors = (
            f"SELECT group_concat(author.name, ' ') FROM {Author._meta.db_table} AS author "
            f"JOIN {byline.db_table} AS byline ON byline.author_id = author.id "
            "WHERE byline.article_id = article.id"
        )
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {self.TABLE} (rowid, title, dek, authors, search_text) "
                    f"SELECT article.id, article.title, article.dek, coalesce(({authors}), ''), "
                    f"article.search_text FROM {Article._meta.db_table} AS article "
                    f"WHERE article.id IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )

    def forget(self, pks):
        for start in range(0, len(pks), 500):
            chunk = list(pks)[start : start + 500]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {self.TABLE} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )

    def queries(self, terms):
        """(the FTS5 query for `terms`, the same for titles only), or None when nothing is
        wanted: every term a phrase (so nothing in it is an operator), the unwanted after NOT."""
        wanted, unwanted = parse(terms)
        if not wanted:
            return None

        def phrase(text):
            return '"' + text.replace('"', '""') + '"'

        words = " ".join(map(phrase, wanted))
        return words + "".join(f" NOT {phrase(t)}" for t in unwanted), f"title : ({words})"

    def ranked(self, articles, terms):
        queries = self.queries(terms)
        if queries is None:
            return articles.none()
        match, in_title = queries
        here = f'rowid = "{Article._meta.db_table}"."id"'
        found = RawSQL(f"SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s", [match])
        fts = f"FROM {self.TABLE} WHERE {self.TABLE} MATCH %s AND {here}"
        return (
            articles.filter(pk__in=found)
            .annotate(
                in_title=RawSQL(f"SELECT count(*) {fts}", [in_title]),
                score=RawSQL(f"SELECT {self.BM25} {fts}", [match]),
            )
            .order_by("-in_title", "score", "-publish_at", "-pk")
        )

    def snippet(self, article, terms):
        wanted, _ = parse(terms)
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
    return SqliteSearch()

"""What the search index holds, and keeping it current.

Only what anyone may read: the title, the standfirst, the authors' names and
`Article.search_text` — the whole body of an article an anonymous visitor may read, the teaser of
any other. So neither a match nor a snippet can give away text behind the paywall, whoever
searches.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from magazine.changes import content_changed
from magazine.models import Article, Author
from magazine.pages.search.engines import backend
from magazine.rendering import render_body
from paywall.access import ANONYMOUS, can_read


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
    Article.objects.filter(pk=article.pk).update(search_text=text, search_whole_text=whole)
    backend().index(Article.objects.filter(pk=article.pk))


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
    backend().index(articles)
    content_changed()  # cached results pages predate the new index
    return count


def _index_on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        index_article(instance)


def _index_bylines(sender, instance, action, reverse, pk_set, **kwargs):
    """Authors added to or taken from articles: their names are in the index too."""
    if not action.startswith("post_"):
        return
    if reverse:  # author.articles.add(…): `instance` is the author
        backend().index(Article.objects.filter(pk__in=pk_set or ()))
    else:
        backend().index(Article.objects.filter(pk=instance.pk))


def _index_author_articles(sender, instance, raw=False, **kwargs):
    if not raw:
        backend().index(instance.articles.all())


def _forget(sender, instance, **kwargs):
    backend().forget([instance.pk])


def connect():
    post_save.connect(_index_on_save, sender=Article, dispatch_uid="search-index-article")
    post_delete.connect(_forget, sender=Article, dispatch_uid="search-forget-article")
    m2m_changed.connect(
        _index_bylines, sender=Article.authors.through, dispatch_uid="search-index-bylines"
    )
    post_save.connect(_index_author_articles, sender=Author, dispatch_uid="search-index-author")

"""RSS 2.0 and Atom feeds: site-wide, per publication, per section, and each reader's private feed.

A public feed is written for an anonymous reader: the whole of what anyone may read, the teaser
of the rest. A private feed asks the paywall about its owner each time it is fetched, so a
subscription that lapses or is cancelled turns it back to teasers at once.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from accounts.models import FeedToken
from caching.headers import keep_nowhere
from magazine.models import SEARCH_FIELDS, Article, Author, Publication, Section
from magazine.rendering import article_body
from magazine.site import absolute_url
from paywall.access import ANONYMOUS, Reader, can_read
from paywall.readers import reader_for_user

READ_ON = {
    Article.Access.REGISTERED: "Log in or create a free account to read the rest of this article.",
    Article.Access.SUBSCRIBERS: "The rest of this article is for subscribers.",
}


class RssFeed(Rss201rev2Feed):
    """RSS 2.0 with each article's text in <content:encoded>, beside the standfirst."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class AtomFeed(Atom1Feed):
    """Atom with each article's text in <content type="html">, beside the standfirst."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


FORMATS = {"rss": RssFeed, "atom": AtomFeed}


@dataclass(frozen=True)
class Channel:
    """One feed as fetched: what it is called, where it points, and whom it is written for."""

    title: str
    description: str
    path: str
    articles: QuerySet
    reader: Reader
    now: datetime
    feed_path: str = ""


@dataclass(frozen=True)
class Entry:
    article: Article
    content: str  # sanitized HTML


def entry_content(article, reader, *, now):
    """The article's text for `reader`: all of it if the paywall lets them, else the teaser."""
    body = article_body(article)
    if can_read(reader, article, now=now):
        return mark_safe(body.teaser_html + body.rest_html)  # both sanitized when rendered
    read_on = format_html(
        '<p><a href="{}">{}</a></p>',
        absolute_url(article.get_absolute_url()),
        READ_ON.get(article.access, READ_ON[Article.Access.SUBSCRIBERS]),
    )
    return body.teaser + read_on


class ArticleFeed(Feed):
    """The latest articles of a channel, newest first; subclasses say which channel."""

    def __init__(self, kind):
        super().__init__()
        self.feed_type = FORMATS[kind]

    def get_object(self, request, **kwargs):
        return replace(self.channel(now=timezone.now(), **kwargs), feed_path=request.path)

    def title(self, channel):
        return channel.title

    def description(self, channel):
        return channel.description

    subtitle = description  # Atom's name for it

    def link(self, channel):
        return absolute_url(channel.path)

    def feed_url(self, channel):
        return absolute_url(channel.feed_path)

    def author_name(self, channel):
        return settings.SITE_NAME

    def items(self, channel):
        articles = (
            channel.articles.published(channel.now)
            .select_related("publication", "section")
            .prefetch_related(Prefetch("authors", Author.objects.order_by("name")), "tags")
            .defer(*SEARCH_FIELDS)
            .order_by("-publish_at", "-pk")[: settings.MAGAZINE_FEED_ITEMS]
        )
        return [
            Entry(article, entry_content(article, channel.reader, now=channel.now))
            for article in articles
        ]

    def item_title(self, entry):
        return entry.article.title

    def item_link(self, entry):
        return absolute_url(entry.article.get_absolute_url())

    def item_description(self, entry):
        return escape(entry.article.search_description) or None

    def item_author_name(self, entry):
        names = [author.name for author in entry.article.authors.all()]
        return ", ".join(names) or None

    def item_pubdate(self, entry):
        return entry.article.publish_at

    def item_updateddate(self, entry):
        return entry.article.updated_at

    def item_categories(self, entry):
        article = entry.article
        return [article.section.name, *(tag.name for tag in article.tags.all())]

    def item_extra_kwargs(self, entry):
        return {"content": entry.content}


class SiteFeed(ArticleFeed):
    def channel(self, *, now):
        return Channel(
            title=settings.SITE_NAME,
            description=f"The latest articles from every publication of {settings.SITE_NAME}.",
            path=reverse("front"),
            articles=Article.objects.all(),
            reader=ANONYMOUS,
            now=now,
        )


class PublicationFeed(ArticleFeed):
    def channel(self, *, now, publication):
        publication = get_object_or_404(Publication, slug=publication)
        return Channel(
            title=publication.name,
            description=publication.tagline or f"The latest articles from {publication.name}.",
            path=publication.get_absolute_url(),
            articles=publication.articles.all(),
            reader=ANONYMOUS,
            now=now,
        )


class SectionFeed(ArticleFeed):
    def channel(self, *, now, publication, section):
        section = get_object_or_404(
            Section.objects.select_related("publication"),
            publication__slug=publication,
            slug=section,
        )
        return Channel(
            title=f"{section.publication.name}: {section.name}",
            description=section.description
            or f"The latest {section.name} articles from {section.publication.name}.",
            path=section.get_absolute_url(),
            articles=section.articles.all(),
            reader=ANONYMOUS,
            now=now,
        )


class PrivateFeed(ArticleFeed):
    """A reader's own feed, found by the secret in its address: never cached, never indexed."""

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        keep_nowhere(response)  # its address is a secret that reads every article it may
        response["X-Robots-Tag"] = "noindex"
        return response

    def channel(self, *, now, token):
        feed_token = get_object_or_404(
            FeedToken.objects.select_related("user"), key=token, user__is_active=True
        )
        return Channel(
            title=f"{settings.SITE_NAME}: your private feed",
            description="The latest articles, in full wherever your subscriptions allow.",
            path=reverse("front"),
            articles=Article.objects.all(),
            reader=reader_for_user(feed_token.user),
            now=now,
        )

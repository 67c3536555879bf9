"""Every URL pattern of the site, and a small site to visit them on: for the tests that walk all
of them (no 5xx on any input, private headers on every personal page)."""

import re
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver

from accounts.models import FeedToken
from magazine.models import Article
from newsletters.models import Newsletter
from tests.factories import (
    make_article,
    make_author,
    make_comment,
    make_gift_link,
    make_issue,
    make_publication,
    make_section,
    make_tag,
    make_user,
    subscribe,
)

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    template: str  # the path with a {name} for each parameter
    name: str

    @property
    def parameters(self):
        return re.findall(r"{(\w+)}", self.template)

    def path(self, values):
        return "/" + self.template.format(**{name: values[name] for name in self.parameters})


def as_template(route):
    """A pattern's route ("<slug:section>/", "^(?P<key>…)/$") as "{section}/"."""
    text = PARAMETER.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", route)
    return text.replace("^", "").replace("$", "").replace("\\", "")


def every_route():
    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield Route(as_template(prefix + str(pattern.pattern)), str(pattern.name))

    return sorted(set(walk(get_resolver().url_patterns, "")), key=lambda route: route.template)


def build_site():
    """A publication with every kind of thing a URL can name, and a value for each parameter."""
    publication = make_publication(slug="almanac")
    section = make_section(publication, slug="garden")
    author, tag = make_author(slug="rosa"), make_tag(slug="soil")
    issue = make_issue(publication, volume=12, number=3)
    article = make_article(
        section=section,
        slug="fences",
        access=Article.Access.SUBSCRIBERS,
        authors=[author],
        tags=[tag],
        issue=issue,
    )
    reader = make_user("reader@example.com", verified=True)
    subscribe(reader, publication)
    comment = make_comment(article, reader)
    token = FeedToken.objects.create(user=reader)
    make_gift_link(article)
    newsletter = Newsletter.objects.create(
        publication=publication, name="Almanac weekly", slug="almanac-weekly", sender_name="Almanac"
    )
    values = {
        "publication": publication.slug,
        "slug": article.slug,
        "section": section.slug,
        "author": author.slug,
        "tag": tag.slug,
        "year": str(issue.cover_date.year),
        "volume": "12",
        "number": "3",
        "article_pk": str(article.pk),
        "pk": str(comment.pk),
        "id": str(comment.pk),
        "object_id": str(article.pk),
        "content_type_id": "1",
        "app_label": "magazine",
        "token": token.key,
        "key": "not-a-key",
        "uidb36": "1",
        "url": "nowhere/",
        "path": "none.jpg",
        "session": "cs_test_none",
        "customer": "cus_test_none",
        "article_id": str(article.pk),
        "newsletter_id": str(newsletter.pk),
        "reader": "subscriber",
    }
    return values, reader

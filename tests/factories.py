"""Small builders for test data: each makes a valid object and takes overrides as keywords."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from magazine.models import Article, Author, Issue, Publication, Section, Tag

_numbers = itertools.count(1)

TEASER = "The open paragraph everyone may read.\n\nA second free paragraph about fences."
HIDDEN = "SECRET-PARAGRAPH: the hedgehog sleeps under the third plank."
BODY = f"{TEASER}\n\n<!-- more -->\n\n{HIDDEN}\n\n## After the break\n\nMore for subscribers only."


def make_publication(**fields):
    n = next(_numbers)
    fields.setdefault("name", f"Publication {n}")
    fields.setdefault("slug", f"publication-{n}")
    fields.setdefault("paywall_pitch", "Subscribers will have unlimited access to everything.")
    return Publication.objects.create(**fields)


def make_section(publication=None, **fields):
    n = next(_numbers)
    fields.setdefault("name", f"Section {n}")
    fields.setdefault("slug", f"section-{n}")
    return Section.objects.create(publication=publication or make_publication(), **fields)


def make_author(**fields):
    n = next(_numbers)
    fields.setdefault("name", f"Author {n}")
    fields.setdefault("slug", f"author-{n}")
    return Author.objects.create(**fields)


def make_tag(**fields):
    n = next(_numbers)
    fields.setdefault("name", f"tag {n}")
    fields.setdefault("slug", f"tag-{n}")
    return Tag.objects.create(**fields)


def make_issue(publication, **fields):
    n = next(_numbers)
    fields.setdefault("volume", 1)
    fields.setdefault("number", n)
    fields.setdefault("cover_date", timezone.now().date())
    return Issue.objects.create(publication=publication, **fields)


def make_article(publication=None, section=None, *, authors=(), tags=(), **fields):
    """A published article (an hour ago), free unless told otherwise."""
    if section is None:
        section = make_section(publication or make_publication())
    n = next(_numbers)
    fields.setdefault("title", f"Article {n}")
    fields.setdefault("slug", f"article-{n}")
    fields.setdefault("dek", f"The standfirst of article {n}.")
    fields.setdefault("body", BODY)
    fields.setdefault("access", Article.Access.FREE)
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("publish_at", timezone.now() - timedelta(hours=1))
    article = Article.objects.create(publication=section.publication, section=section, **fields)
    article.authors.set(authors)
    article.tags.set(tags)
    return article


PASSWORD = "correct horse battery"


def make_user(email=None, password=PASSWORD, *, verified=False, **fields):
    """A reader; `verified`: their email address is confirmed (as allauth records it)."""
    email = email or f"reader{next(_numbers)}@example.com"
    user = get_user_model().objects.create_user(email=email, password=password, **fields)
    if verified:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def make_staff(role, email=None):
    """A staff member in the group of `role` (magazine.roles: Writers, Editors, Publishers)."""
    from django.contrib.auth.models import Group

    from magazine.roles import ensure_staff_groups

    group = Group.objects.filter(name=role).first()
    if group is None:  # a database emptied by a transactional test
        ensure_staff_groups()
        group = Group.objects.get(name=role)
    user = make_user(email, is_staff=True)
    user.groups.add(group)
    return user


def subscribe(user, publication, *, days=365, **fields):
    """A subscription to `publication` for `user`, from now for `days` days."""
    from paywall.models import Subscription
    from paywall.subscriptions import plan_for_publication

    now = timezone.now()
    fields.setdefault("starts_at", now)
    fields.setdefault("ends_at", now + timedelta(days=days))
    return Subscription.objects.create(user=user, plan=plan_for_publication(publication), **fields)


def make_gift_link(article, *, giver=None, days=7, **fields):
    """A gift link to `article`, expiring in `days` days, from a new reader unless told."""
    from paywall.models import GiftLink

    fields.setdefault("giver_name", "Ann Example")
    fields.setdefault("expires_at", timezone.now() + timedelta(days=days))
    return GiftLink.objects.create(article=article, giver=giver or make_user(), **fields)


def make_comment(article, user=None, *, parent=None, **fields):
    """An approved comment on `article` (a reply when `parent` is given), posted a minute ago."""
    from comments.models import Comment

    n = next(_numbers)
    fields.setdefault("body", f"Comment number {n}: well said.")
    fields.setdefault("status", Comment.Status.APPROVED)
    fields.setdefault("created_at", timezone.now() - timedelta(minutes=1))
    return Comment.objects.create_in_thread(
        article=article, user=user or make_user(), parent=parent, **fields
    )

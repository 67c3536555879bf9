"""The article page: the article as this reader may read it, with its conversation.

Everything on the page that costs a query is fetched only when the template asks for it, and
the template keeps what is the same for every reader in cached fragments; the page as a whole is
shared by readers the paywall treats alike (`caching.pages.shared_response`).
"""

import copy
import time
from functools import cache as memoize
from functools import partial

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView

from accounts.backends import user_key
from caching.generations import cached_at, generation
from caching.local import LocalCache
from caching.pages import personal_page, prefetching, shared_response
from comments.counts import with_comment_counts
from comments.section import comment_section
from comments.summary import attach_summary, summary_keys
from magazine.changes import CONTENT
from magazine.models import SEARCH_FIELDS, Article
from magazine.now import NowMixin
from magazine.pages.seo import article_breadcrumbs, article_description, article_structured_data
from magazine.rendering import article_body
from paywall import meter
from paywall.access import Reason, can_read
from paywall.box import paywall_box
from paywall.readers import reader_keys

RELATED_ARTICLES = 3
RELATED_POOL = 100


def related_articles(article, *, now):
    """Published articles of the same publication, those sharing most tags first, then the
    latest: ranked within the RELATED_POOL most recent ones that share a tag or the section.
    The pool is read newest first through the publication's index and stops when full, so the
    cost does not grow with the archive, however widely a tag is used."""
    tagged = Article.tags.through.objects
    tag_ids = tagged.filter(article_id=article.pk).values("tag_id")
    shares_a_tag = Exists(tagged.filter(article_id=OuterRef("pk"), tag_id__in=tag_ids))
    pool = (
        Article.objects.published(now)
        .exclude(pk=article.pk)
        .filter(publication_id=article.publication_id)
        .filter(shares_a_tag | Q(section_id=article.section_id))
        .order_by("-publish_at")
        .values("pk")[:RELATED_POOL]
    )
    return list(
        with_comment_counts(Article.objects.filter(pk__in=pool))
        .annotate(shared_tags=Count("tags", filter=Q(tags__in=tag_ids)))
        .select_related("publication", "section")
        .defer("body", *SEARCH_FIELDS)
        .order_by("-shared_tags", "-publish_at")[:RELATED_ARTICLES]
    )


def article_detail_queryset():
    return Article.objects.select_related(
        "publication__comment_settings", "section__publication", "issue__publication"
    ).defer(*SEARCH_FIELDS)


# Articles as last fetched, in this process: the page's most expensive entry to unpickle.
ARTICLES = LocalCache(size=500)


def live_article_key(publication, slug):
    return f"live-article:{publication}:{slug}"


def live_article(publication, slug, *, now):
    """The published article at /<publication>/<slug>/, or 404; kept in the cache until the
    site's content changes, so a reader's page does not look it up every time. Each caller gets
    its own copy, to annotate for its reader."""

    def fetch():
        return get_object_or_404(
            article_detail_queryset().published(now), publication__slug=publication, slug=slug
        )

    key, timeout = live_article_key(publication, slug), settings.MAGAZINE_FRAGMENT_CACHE_SECONDS
    version = generation(CONTENT)
    article = ARTICLES.get(key, version)
    if article is None:
        article = cached_at(key, generations=[CONTENT], compute=fetch, timeout=timeout)
        ARTICLES.set(key, version, article, time.time() + timeout)
    if not article.is_published(at=now):
        raise Http404("Not published.")
    return copy.copy(article)


def once(function, *args, **kwargs):
    """`function(*args, **kwargs)`, computed when a template first asks and then kept: the page's
    cached fragments skip their queries entirely."""
    return memoize(partial(function, *args, **kwargs))


def authors_of(article):
    return list(article.authors.order_by("name"))


class ArticleView(NowMixin, DetailView):
    template_name = "magazine/article.html"
    context_object_name = "article"

    @staticmethod
    def cache_keys(request, user_id, *, publication, slug):
        """What the page reads from the cache, for `caching.batch` to fetch at once:
        the article's key is guessed from the copy this process last saw."""
        keys = [CONTENT]
        key = live_article_key(publication, slug)
        seen = ARTICLES.peek(key)
        if seen is None:
            keys.append(key)
        if user_id is not None:
            keys += [user_key(user_id), *reader_keys(user_id)]
        if seen is not None:
            keys += summary_keys(seen.pk, user_id)
        return keys

    def get_object(self, queryset=None):
        article = live_article(self.kwargs["publication"], self.kwargs["slug"], now=self.now)
        return attach_summary(article, self.request.user, now=self.now)

    def get(self, request, *args, **kwargs):
        return self.page()

    def page(self, *, comment_form=None, status=200):
        """The page for this request; `comment_form` is a rejected comment to show again.

        The paywall's decision and the comment section it leads to are all that is decided
        per request; the rest of the page is built only if it is rendered."""
        self.object = self.get_object()
        reader = meter.metered(self.request, self.object, self.now)
        access = can_read(reader, self.object, now=self.now)
        new_sample = meter.is_new_sample(reader, self.object, access, self.now)
        if new_sample and prefetching(self.request):
            return meter.prefetch_declined()
        comments = comment_section(
            self.request, self.object, access=access, now=self.now, form=comment_form
        )

        def render(**context):
            context = self.get_context_data(
                object=self.object, access=access, comments=comments, **context
            )
            return self.render_to_response(context, status=status)

        if reader.meter is not None:
            return self.metered_page(reader, access, comments, new_sample, render)
        variant = self.shared_variant(access, comments)
        return render() if variant is None else shared_response(self.request, variant, render)

    def metered_page(self, reader, access, comments, new_sample, render):
        """The page of a reader whose meter decided it, counting the read if it is a new free
        article. Never the page of its URL for everyone; a free article's page is shared by
        the readers it says the same to (its notice is the variant), the cookie set after."""
        article, now = self.object, self.now
        if access.reason != Reason.SAMPLED:
            response = render()
        else:
            sampling = meter.notice(reader, article, now, counting=new_sample)
            variant = self.sampled_variant(reader, sampling, comments)
            if variant is None:
                response = render(sampling=sampling)
            else:
                response = shared_response(
                    self.request, variant, partial(render, sampling=sampling)
                )
        if not meter.same_for_every_newcomer(reader):
            personal_page(response)
        if new_sample and response.status_code == 200:
            if not getattr(response, "is_rendered", True):
                response.render()  # counted once the page is made, not before
            meter.count(self.request, response, reader, article, now)
        return response

    def sampled_variant(self, reader, sampling, comments):
        """What a free article's page depends on (None: this reader's own)."""
        if comments is None or comments.cache_key is None or self.request.user.is_staff:
            return None
        return (
            "sampled", generation(CONTENT), reader.is_authenticated, sampling, comments.cache_key
        )  # fmt: skip

    def shared_variant(self, access, comments):
        """What this page depends on when every reader like this one sees the same page: the
        article's and its conversation's versions, the paywall's decision and its reason, and
        what the reader may do in the conversation. None when the page is this reader's own
        (staff tools, their comments in it, a rejected comment, a gift, a denied reader)."""
        user = self.request.user
        own_page = (
            not user.is_authenticated
            or user.is_staff
            or not access.allowed
            or access.reason == Reason.GIFT
            or comments is None
            or comments.cache_key is None
        )
        if own_page:
            return None
        # The page shows the site's content (any change moves its generation) and this
        # conversation as this reader sees it (its key carries the conversation's generation).
        return ("article", generation(CONTENT), access.reason, comments.cache_key)

    def get_context_data(self, **kwargs):
        article = self.object
        authors = once(authors_of, article)
        description = once(article_description, article)
        return super().get_context_data(
            publication=article.publication,
            paywall=paywall_box(self.request, kwargs["access"]),
            body=once(article_body, article),
            authors=authors,
            tags=once(list, article.tags.all()),
            related=once(related_articles, article, now=self.now),
            structured_data=once(
                article_structured_data, article, authors=authors, description=description
            ),
            breadcrumbs=once(article_breadcrumbs, article),
            meta_description=description,
            **kwargs,
        )


@method_decorator([staff_member_required, never_cache], name="dispatch")
class ArticlePreviewView(ArticleView):
    """Any article, whatever its status, as a reader with access will see it: for editors."""

    cache_keys = None  # read as they come: previews are few

    def get_object(self, queryset=None):
        if not self.request.user.has_perm("magazine.view_article"):
            raise Http404
        article = get_object_or_404(article_detail_queryset(), pk=self.kwargs["pk"])
        return attach_summary(article, self.request.user, now=self.now)

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


def page_with_comment_form(request, article, *, form, status):
    """`article`'s page with a rejected comment form as the reader left it: what the comments
    app shows after a refused post (the wiring hands it this, see magazine.urls)."""
    view = ArticleView()
    view.setup(request, publication=article.publication.slug, slug=article.slug)
    return view.page(comment_form=form, status=status)

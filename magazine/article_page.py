"""The article page: the article as this reader may read it, with its conversation.

Everything on the page that costs a query is fetched only when the template asks for it, and
the template keeps what is the same for every reader in cached fragments; the page as a whole is
shared by readers the paywall treats alike (`paywall.page_cache.shared_response`).
"""

from functools import cache as memoize
from functools import partial

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView

from comments.counts import with_comment_counts
from comments.section import comment_section
from comments.summary import attach_summary
from magazine.caching import CONTENT, current
from magazine.models import SEARCH_FIELDS, Article
from magazine.rendering import article_body
from magazine.seo import article_breadcrumbs, article_description, article_structured_data
from magazine.views import NowMixin
from paywall.access import Reason, can_read
from paywall.box import paywall_box
from paywall.page_cache import shared_response

RELATED_ARTICLES = 3
RELATED_POOL = 20


def related_articles(article, *, now):
    """Published articles of the same publication, those sharing most tags first, then the
    latest of its section: one query over a bounded pool of candidates, found through the tag
    and section indexes, so its cost does not grow with the archive."""
    tag_ids = Article.tags.through.objects.filter(article_id=article.pk).values("tag_id")
    published = Article.objects.published(now).exclude(pk=article.pk)
    sharing_tags = Article.tags.through.objects.filter(tag_id__in=tag_ids).values("article_id")
    same_section = (
        published.filter(section_id=article.section_id)
        .order_by("-publish_at")
        .values("pk")[:RELATED_POOL]
    )
    candidates = published.filter(publication_id=article.publication_id).filter(
        Q(pk__in=Subquery(sharing_tags)) | Q(pk__in=Subquery(same_section))
    )
    return list(
        with_comment_counts(candidates)
        .annotate(shared_tags=Count("tags", filter=Q(tags__in=tag_ids)))
        .select_related("publication", "section")
        .defer("body", *SEARCH_FIELDS)
        .order_by("-shared_tags", "-publish_at")[:RELATED_ARTICLES]
    )


def article_detail_queryset():
    return Article.objects.select_related(
        "publication__comment_settings", "section__publication", "issue__publication"
    ).defer(*SEARCH_FIELDS)


def live_article(publication, slug, *, now):
    """The published article at /<publication>/<slug>/, or 404; kept in the cache until the
    site's content changes, so a reader's page does not look it up every time."""

    def fetch():
        return get_object_or_404(
            article_detail_queryset().published(now), publication__slug=publication, slug=slug
        )

    key = f"live-article:{publication}:{slug}"
    article = current(key, [CONTENT], fetch, settings.MAGAZINE_FRAGMENT_CACHE_SECONDS)
    if not article.is_published(at=now):
        raise Http404("Not published.")
    return article


def once(function, *args, **kwargs):
    """`function(*args, **kwargs)`, computed when a template first asks and then kept: the page's
    cached fragments skip their queries entirely."""
    return memoize(partial(function, *args, **kwargs))


def authors_of(article):
    return list(article.authors.order_by("name"))


class ArticleView(NowMixin, DetailView):
    template_name = "magazine/article.html"
    context_object_name = "article"
    comment_form = None  # a rejected comment to show again (see comments.views)

    def get_object(self, queryset=None):
        article = live_article(self.kwargs["publication"], self.kwargs["slug"], now=self.now)
        return attach_summary(article, self.request.user, now=self.now)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        context = self.get_context_data(object=self.object)
        variant = self.shared_variant(context)
        if variant is None:
            return self.render_to_response(context)
        return shared_response(request, variant, lambda: self.render_to_response(context))

    def shared_variant(self, context):
        """What this page depends on when every reader like this one sees the same page: the
        article's and its conversation's versions, the paywall's decision and its reason, and
        what the reader may do in the conversation. None when the page is this reader's own
        (staff tools, their comments in it, a rejected comment, a gift, a denied reader)."""
        user, access, comments = self.request.user, context["access"], context["comments"]
        own_page = (
            not user.is_authenticated
            or user.is_staff
            or not access.allowed
            or access.reason == Reason.GIFT
            or self.comment_form is not None
            or comments is None
            or comments.cache_key is None
        )
        if own_page:
            return None
        # The conversation's key carries the content and conversation generations.
        return (
            "article",
            self.object.pk,
            self.object.updated_at,
            access.reason,
            comments.cache_key,
        )

    def get_context_data(self, **kwargs):
        article = self.object
        access = can_read(self.request.reader, article, now=self.now)
        authors = once(authors_of, article)
        return super().get_context_data(
            publication=article.publication,
            access=access,
            paywall=paywall_box(self.request, access),
            body=once(article_body, article),
            authors=authors,
            tags=once(list, article.tags.all()),
            related=once(related_articles, article, now=self.now),
            structured_data=once(article_structured_data, article, authors=authors),
            comments=comment_section(
                self.request, article, access=access, now=self.now, form=self.comment_form
            ),
            breadcrumbs=once(article_breadcrumbs, article),
            meta_description=once(article_description, article),
            **kwargs,
        )


@method_decorator([staff_member_required, never_cache], name="dispatch")
class ArticlePreviewView(ArticleView):
    """Any article, whatever its status, as a reader with access will see it: for editors."""

    def get_object(self, queryset=None):
        if not self.request.user.has_perm("magazine.view_article"):
            raise Http404
        article = get_object_or_404(article_detail_queryset(), pk=self.kwargs["pk"])
        return attach_summary(article, self.request.user, now=self.now)

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)

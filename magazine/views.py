"""Reading pages: the front page; each publication with its sections, authors, tags and issues;
articles."""

from functools import cache as memoize
from functools import partial

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, F, Q, Subquery, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from comments.counts import with_comment_counts
from comments.section import comment_section
from comments.summary import attach_summary
from magazine import search
from magazine.caching import CONTENT, current
from magazine.forms import SearchForm
from magazine.models import (
    SEARCH_FIELDS,
    Article,
    Author,
    Issue,
    Publication,
    Section,
    Tag,
    published_q,
)
from magazine.rendering import article_body
from magazine.seo import (
    article_breadcrumbs,
    article_description,
    article_structured_data,
    publication_structured_data,
)
from paywall.access import Reason, can_read
from paywall.box import paywall_box
from paywall.page_cache import shared_response

RELATED_ARTICLES = 3
SECTION_TEASERS = 3
RECENT_FOR_SECTIONS = 200
RELATED_POOL = 20


class NowMixin:
    """Reads the clock once per request, so every rule on the page agrees on "now"."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.now = timezone.now()

    def published(self):
        return Article.objects.published(self.now)


class FrontPageView(NowMixin, TemplateView):
    template_name = "magazine/front.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            publications=Publication.objects.all(),
            latest=self.published().for_listing()[: settings.MAGAZINE_PAGE_SIZE],
            **kwargs,
        )


class PublicationMixin(NowMixin):
    """A view under /<publication>/: the publication is looked up once, or 404."""

    @cached_property
    def publication(self):
        return get_object_or_404(Publication, slug=self.kwargs["publication"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(publication=self.publication, **kwargs)


class ArticleListView(PublicationMixin, ListView):
    """A paginated list of one publication's published articles; subclasses narrow it."""

    template_name = "magazine/article_list.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.MAGAZINE_PAGE_SIZE

    def get_queryset(self):
        return self.published().filter(publication=self.publication).for_listing()


class PublicationView(ArticleListView):
    """The publication's home: its latest articles, and on the first page each section's."""

    template_name = "magazine/publication.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related(None)  # authors: see get_context_data

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["articles"] = list(context["articles"])
        ranked = self.latest_by_section() if context["page_obj"].number == 1 else []
        prefetch_related_objects([*context["articles"], *ranked], "authors")
        context["sections"] = group_by_section(ranked)
        context["structured_data"] = publication_structured_data(self.publication)
        return context

    def latest_by_section(self):
        """Each section's latest few articles among the publication's recent ones: the ranking
        runs over a bounded window, so its cost does not grow with the archive."""
        published = self.published().filter(publication=self.publication)
        recent = published.order_by("-publish_at").values("pk")[:RECENT_FOR_SECTIONS]
        rank = Window(RowNumber(), partition_by=F("section_id"), order_by=F("publish_at").desc())
        chosen = (
            published.filter(pk__in=Subquery(recent))
            .annotate(rank=rank)
            .filter(rank__lte=SECTION_TEASERS)
            .values_list("pk", flat=True)
        )
        return list(super().get_queryset().prefetch_related(None).filter(pk__in=list(chosen)))


def group_by_section(articles):
    groups = {}
    for article in articles:
        groups.setdefault(article.section, []).append(article)
    return sorted(groups.items(), key=lambda item: (item[0].position, item[0].name))


class SectionView(ArticleListView):
    @cached_property
    def section(self):
        return get_object_or_404(Section, publication=self.publication, slug=self.kwargs["section"])

    def get_queryset(self):
        return super().get_queryset().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            section=self.section,
            heading=self.section.name,
            description=self.section.description,
            **kwargs,
        )


class AuthorView(ArticleListView):
    template_name = "magazine/author.html"

    @cached_property
    def author(self):
        return get_object_or_404(Author, slug=self.kwargs["author"])

    def get_queryset(self):
        return super().get_queryset().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, heading=self.author.name, **kwargs)


class TagView(ArticleListView):
    @cached_property
    def tag(self):
        return get_object_or_404(Tag, slug=self.kwargs["tag"])

    def get_queryset(self):
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=f"Tagged “{self.tag.name}”", **kwargs)


class IssueArchiveView(PublicationMixin, ListView):
    template_name = "magazine/issue_archive.html"
    context_object_name = "issues"

    def get_queryset(self):
        issues = self.publication.issues.annotate(
            article_count=Count("articles", filter=published_q(self.now, prefix="articles__"))
        )
        if "year" in self.kwargs:
            issues = issues.filter(cover_date__year=self.kwargs["year"])
        return issues.order_by("-cover_date")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(year=self.kwargs.get("year"), **kwargs)
        if context["year"] and not context["issues"]:
            raise Http404("No issues that year.")
        return context


class IssueView(PublicationMixin, DetailView):
    template_name = "magazine/issue.html"
    context_object_name = "issue"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Issue,
            publication=self.publication,
            volume=self.kwargs["volume"],
            number=self.kwargs["number"],
        )

    def get_context_data(self, **kwargs):
        articles = (
            self.published()
            .filter(issue=self.object)
            .for_listing()
            .order_by("section__position", "section__name", "-publish_at")
        )
        return super().get_context_data(articles=articles, **kwargs)


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
            or (comments is not None and comments.cache_key is None)
        )
        if own_page:
            return None
        conversation = comments.cache_key if comments else None
        return ("article", self.object.pk, self.object.updated_at, access.reason, conversation)

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
            breadcrumbs=article_breadcrumbs(article),
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


class SearchView(NowMixin, TemplateView):
    """Search results, site-wide or in one publication. Never indexed: they are endless and thin.

    Bad input is answered on the same page: 400 for a form error, 404 for a page past the end.
    """

    template_name = "magazine/search.html"

    @cached_property
    def publication(self):
        slug = self.kwargs.get("publication")
        return get_object_or_404(Publication, slug=slug) if slug else None

    def get(self, request, *args, **kwargs):
        form = SearchForm(request.GET, publication=getattr(self.publication, "slug", None))
        context = self.get_context_data(form=form, publication=self.publication)
        status = 200 if form.is_valid() else 400
        terms = form.cleaned_data.get("q") if status == 200 else ""
        if terms:
            context["query"] = terms
            results = search.search(terms, now=self.now, **form.filters())
            try:
                page = Paginator(results, settings.MAGAZINE_PAGE_SIZE).page(
                    request.GET.get("page", 1)
                )
            except InvalidPage:
                status, context["page_missing"] = 404, True
            else:
                context.update(
                    page_obj=page,
                    hits=search.hits(page, terms),
                    search_candidates=search.result_cap(),
                )
        response = self.render_to_response(context, status=status)
        response["X-Robots-Tag"] = "noindex"
        return response

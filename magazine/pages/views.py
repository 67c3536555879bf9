"""Reading pages: the front page; each publication with its sections, authors, tags and issues;
search. (The article page has its own module, `magazine.pages.article`.)"""

import re

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, F, Subquery, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView, TemplateView
from django.views.static import serve

from caching.generations import generation
from comments.counts import with_comment_counts
from magazine.changes import CONTENT
from magazine.models import (
    Author,
    Issue,
    Publication,
    Section,
    Tag,
    published_q,
)
from magazine.navigation import publications_menu
from magazine.now import NowMixin
from magazine.pages import search
from magazine.pages.forms import SearchForm
from magazine.pages.pagination import CardPaginator
from magazine.pages.seo import (
    publication_structured_data,
)
from paywall.access import can_read_edition

SECTION_TEASERS = 3
RECENT_FOR_SECTIONS = 200
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def cards(articles):
    """`articles` as cards show them: filed, bylined, with their comment counts."""
    return with_comment_counts(articles.for_listing())


class FrontPageView(NowMixin, TemplateView):
    template_name = "magazine/front.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            publications=Publication.objects.all(),
            latest=cards(self.published())[: settings.MAGAZINE_PAGE_SIZE],
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
    paginator_class = CardPaginator

    def get_paginate_by(self, queryset):
        return settings.MAGAZINE_PAGE_SIZE

    def get_queryset(self):
        return cards(self.published().filter(publication=self.publication))


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
        articles = cards(self.published().filter(issue=self.object)).order_by(
            "section__position", "section__name", "-publish_at"
        )
        edition = None
        if self.object.edition:
            edition = can_read_edition(self.request.reader, self.object, now=self.now)
        return super().get_context_data(articles=articles, edition=edition, **kwargs)


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


def serve_media(request, path):
    """Uploaded images, when Django serves them itself (SERVE_MEDIA): a name no file could have
    (too long for the file system, say) is simply not found."""
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError:
        raise Http404("No such file.") from None


def accent_styles(request):
    """Each publication's colour as a class (`accent-<slug>`): kept in a stylesheet, so that the
    Content-Security-Policy needs to allow no inline style. Pages link it with the content
    generation in its address: at that address it may be kept for good, since a changed colour
    is a new one; at any other, only briefly."""
    rules = "".join(
        f".accent-{entry['slug']}{{--accent:{entry['accent']}}}\n"
        for entry in publications_menu()
        if COLOUR.fullmatch(entry["accent"])  # the model's validator runs only in forms
    )
    response = HttpResponse(rules, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == str(generation(CONTENT)):
        patch_cache_control(response, public=True, max_age=365 * 24 * 60 * 60, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=60)
    return response

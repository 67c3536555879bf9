"""The editors' workplace: writing, reviewing, scheduling and publishing articles."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from comments.admin import CommentSettingsInline
from magazine import stamping
from magazine.models import Article, Author, Issue, Publication, Section, Tag

admin.site.site_header = f"{settings.SITE_NAME} — editors"
admin.site.site_title = f"{settings.SITE_NAME} editors"
admin.site.index_title = "Publishing"

PUBLISH_PERMISSION = "magazine.publish_article"
WRITER_STATUSES = [Article.Status.DRAFT, Article.Status.REVIEW]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "slug", "kind", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [SectionInline, CommentSettingsInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "tagline", "description", "position"]}),
        ("Look", {"fields": ["accent_color", "logo"]}),
        (
            "Paywall and subscribing",
            {
                "fields": [
                    "paywall_pitch",
                    "subscribe_text",
                    "subscribe_url",
                    "print_issues_per_year",
                    "back_issues_for_subscribers",
                    "free_articles_anonymous",
                    "free_articles_registered",
                ]
            },
        ),
    ]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "publication", "position"]
    list_filter = ["publication"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class EditionInput(forms.ClearableFileInput):
    """The edition's file has no address to link to: the field says that one is uploaded and
    offers to remove it (Django's own widget shows neither for a file without a URL)."""

    template_name = "admin/widgets/edition_input.html"

    def is_initial(self, value):
        return bool(value)


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["publication", "volume", "number", "title", "cover_date", "cover_image",
                  "cover_image_alt", "edition"]  # fmt: skip
        widgets = {"edition": EditionInput}

    def clean_edition(self):
        """With stamping on, a PDF that cannot be stamped could be sent to no one: say so now,
        not to readers later."""
        edition = self.cleaned_data.get("edition")
        if settings.EDITIONS_STAMPED and edition and "edition" in self.changed_data:
            try:
                stamping.check_stampable(edition)
            except stamping.Unstampable as refusal:
                raise ValidationError(
                    f"{refusal} Editions are stamped for each reader here: upload it without "
                    "a password to open it."
                ) from None
        return edition


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    form = IssueForm
    list_display = ["__str__", "publication", "cover_date"]
    list_filter = ["publication"]
    date_hierarchy = "cover_date"
    search_fields = ["title"]
    readonly_fields = ["edition_link"]

    def save_model(self, request, obj, form, change):
        """A replaced or removed edition's file is deleted, with its stamped copies — once the
        change is committed: until then readers are still sent it, and a change that fails
        keeps it."""
        earlier = Issue.objects.filter(pk=obj.pk).values_list("edition", flat=True).first()
        super().save_model(request, obj, form, change)
        if earlier and earlier != obj.edition.name:
            stamping.forget_copies(obj, also=earlier)

    @admin.display(description="Current edition")
    def edition_link(self, issue):
        """The edition through the view that checks who reads it: the file has no address."""
        if not issue.edition:
            return "None uploaded."
        return format_html('<a href="{}">Read it</a>', reverse("edition", args=[issue.edition_key]))


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=f"In {settings.TIME_ZONE} time.",
    )

    def clean_publish_at(self):
        value = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise forms.ValidationError("Choose a time in the future, or use “Publish now”.")
        return value


PUBLISHING_FIELDS = [
    "access", "exempt_from_sampling", "status", "publish_at", "preview_link", "send_by_email",
    "email_preview_link",
]  # fmt: skip


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publication", "section", "state", "access", "publish_at"]
    list_filter = ["publication", "status", "access", ("section", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["publication", "section"]
    search_fields = ["title", "dek", "slug", "body"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors", "tags"]
    readonly_fields = ["preview_link", "email_preview_link", "created_at", "updated_at"]
    actions = ["submit_for_review", "publish_now", "schedule", "unpublish"]
    fieldsets = [
        (None, {"fields": ["publication", "section", "title", "slug", "dek", "body"]}),
        ("Publishing", {"fields": PUBLISHING_FIELDS}),
        ("Byline and filing", {"fields": ["authors", "issue", "tags"]}),
        ("Lead image", {"fields": ["lead_image", "lead_image_alt", "lead_image_caption"]}),
        ("Search engines", {"fields": ["seo_description"], "classes": ["collapse"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    # Who may do what ---------------------------------------------------------------------------

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_change_permission(self, request, obj=None):
        # A writer may not change what readers already see; an editor must unpublish it first.
        published = obj is not None and obj.status == Article.Status.PUBLISHED
        if published and not self.has_publish_permission(request):
            return False
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not self.has_publish_permission(request) and "status" in form.base_fields:
            status = form.base_fields["status"]
            status.choices = [c for c in status.choices if c[0] in WRITER_STATUSES]
            status.help_text = "Writers submit for review; an editor publishes."
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("publish_at")
        return fields

    def history_view(self, request, object_id, extra_context=None):
        """simple_history's, but an id that is not one is "not found", not a server error."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such article.") from None
        return super().history_view(request, object_id, extra_context)

    # Display -----------------------------------------------------------------------------------

    @admin.display(description="State", ordering="status")
    def state(self, article):
        now = timezone.now()
        if article.is_scheduled(now):
            return format_html(
                "Scheduled for {}",
                timezone.localtime(article.publish_at).strftime("%d %b %Y, %H:%M"),
            )
        if article.is_published(now):
            return "Live"
        return article.get_status_display()

    @admin.display(description="Preview")
    def preview_link(self, article):
        if article.pk is None:
            return "Save the article to preview it."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview as readers will see it</a>',
            reverse("article_preview", kwargs={"pk": article.pk}),
        )

    @admin.display(description="Email")
    def email_preview_link(self, article):
        """The newsletters' own page for this article's email (they add it by URL name, so the
        content admin does not import them)."""
        if article.pk is None:
            return "Save the article to preview its email."
        return format_html(
            '<a href="{}">Preview its email and send a test to yourself</a>',
            reverse("admin:newsletters_email_preview", kwargs={"article_id": article.pk}),
        )

    def view_on_site(self, article):
        if article.is_published():
            return article.get_absolute_url()
        return reverse("article_preview", kwargs={"pk": article.pk})

    # Actions -----------------------------------------------------------------------------------

    def _apply(self, request, queryset, change, message):
        """Save each article (not a bulk update) so each change is in its revision history,
        under the name of the staff member who made it (as the change form does)."""
        count = 0
        for article in queryset:
            if change(article):
                article._history_user = request.user
                article.save()
                count += 1
        self.message_user(request, message.format(count=count), messages.SUCCESS)

    def _move(self, request, queryset, *, source, target, message):
        """Move the selected articles in status `source` to `target`; leave the others be."""

        def change(article):
            if article.status != source:
                return False
            article.status = target
            return True

        self._apply(request, queryset, change, message)

    @admin.action(description="Submit selected drafts for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._move(
            request,
            queryset,
            source=Article.Status.DRAFT,
            target=Article.Status.REVIEW,
            message="{count} article(s) submitted for review.",
        )

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_now(self, request, queryset):
        now = timezone.now()

        def change(article):
            if article.is_published(now):
                return False
            article.status = Article.Status.PUBLISHED
            article.publish_at = now
            return True

        self._apply(request, queryset, change, "{count} article(s) published.")

    @admin.action(description="Schedule selected articles…", permissions=["publish"])
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            when = form.cleaned_data["publish_at"]

            def change(article):
                article.status = Article.Status.PUBLISHED
                article.publish_at = when
                return True

            self._apply(request, queryset, change, "{count} article(s) scheduled.")
            return None
        return TemplateResponse(
            request,
            "admin/magazine/article/schedule.html",
            {
                **self.admin_site.each_context(request),
                "title": "Schedule articles",
                "opts": self.model._meta,
                "articles": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._move(
            request,
            queryset,
            source=Article.Status.PUBLISHED,
            target=Article.Status.DRAFT,
            message="{count} article(s) unpublished (back to draft).",
        )

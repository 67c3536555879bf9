"""The moderators' workplace: the queue of comments awaiting moderation, bulk approve / spam /
delete, bans, and each publication's comment settings (an inline of the publication)."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from comments.models import Ban, Comment, CommentSettings
from comments.writing import approve, mark_spam


class CommentSettingsInline(admin.StackedInline):
    model = CommentSettings
    can_delete = False
    verbose_name_plural = "Comments"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "author", "article_link", "status", "held_because", "created_at"]
    list_filter = ["status", "held_because", "article__publication"]
    list_select_related = ["user", "article__publication"]
    search_fields = ["body", "user__email", "user__display_name", "article__title"]
    date_hierarchy = "created_at"
    actions = ["approve_selected", "mark_selected_as_spam"]
    fields = [
        "article_link",
        "author",
        "ban_link",
        "parent",
        "body",
        "status",
        "held_because",
        "notify_replies",
        "ip_address",
        "created_at",
        "edited_at",
    ]
    readonly_fields = [
        "article_link",
        "author",
        "ban_link",
        "parent",
        "held_because",
        "ip_address",
        "created_at",
        "edited_at",
    ]

    def lookup_allowed(self, lookup, value, request=None):
        # The article page links staff to its own queue: ?article__id__exact=…
        return lookup == "article__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False  # comments are written by readers, under the article

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(70) or "[deleted]"

    @admin.display(description="Author", ordering="user__email")
    def author(self, comment):
        return f"{comment.user.get_full_name()} <{comment.user.email}>"

    @admin.display(description="Article", ordering="article__title")
    def article_link(self, comment):
        return format_html(
            '<a href="{}">{}</a> <span class="quiet">({})</span>',
            comment.get_absolute_url(),
            comment.article.title,
            comment.article.publication.name,
        )

    @admin.display(description="Ban")
    def ban_link(self, comment):
        return format_html(
            '<a href="{}?user={}">Ban this reader from commenting…</a>',
            reverse("admin:comments_ban_add"),
            comment.user_id,
        )

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve_selected(self, request, queryset):
        count = approve(queryset, now=timezone.now())
        self.message_user(request, f"{count} comment(s) approved.", messages.SUCCESS)

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_selected_as_spam(self, request, queryset):
        count = mark_spam(queryset)
        self.message_user(request, f"{count} comment(s) marked as spam.", messages.SUCCESS)


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ["user", "reason", "starts_at", "until", "is_active", "created_by"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__email", "user__display_name", "reason"]
    raw_id_fields = ["user"]

    @admin.display(boolean=True, description="In force")
    def is_active(self, ban):
        return ban.is_active(timezone.now())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

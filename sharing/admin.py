"""Staff see which articles readers share most, and every share."""

from datetime import timedelta

from django.contrib import admin
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from sharing.models import Share, SharedArticle

RECENT_DAYS = 30


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records made by readers' actions: staff look, they don't edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SharedArticle)
class SharedArticleAdmin(ReadOnlyAdmin):
    """The most shared articles: shares and emails sent, lately and in all."""

    list_display = ["article_link", "publication", "recent_shares", "recent_emails",
                    "all_shares", "all_emails", "gift_shares"]  # fmt: skip
    list_display_links = None
    list_filter = ["publication"]
    search_fields = ["title"]

    def get_queryset(self, request):
        recent = Q(shares__created_at__gte=timezone.now() - timedelta(days=RECENT_DAYS))
        # Not super(): it orders by get_ordering() before these annotations exist.
        return (
            self.model._default_manager.select_related("publication")
            .annotate(
                share_count=Count("shares"),
                email_count=Coalesce(Sum("shares__recipient_count"), 0),
                recent_share_count=Count("shares", filter=recent),
                recent_email_count=Coalesce(Sum("shares__recipient_count", filter=recent), 0),
                gift_share_count=Count("shares", filter=Q(shares__with_gift=True)),
            )
            .filter(share_count__gt=0)
        )

    def get_ordering(self, request):
        return ["-recent_email_count", "-email_count", "-pk"]

    @admin.display(description="Article", ordering="title")
    def article_link(self, article):
        url = reverse("admin:magazine_article_change", args=[article.pk])
        return format_html('<a href="{}">{}</a>', url, article.title)

    @admin.display(description=f"Shares ({RECENT_DAYS} days)", ordering="recent_share_count")
    def recent_shares(self, article):
        return article.recent_share_count

    @admin.display(description=f"Emails ({RECENT_DAYS} days)", ordering="recent_email_count")
    def recent_emails(self, article):
        return article.recent_email_count

    @admin.display(description="Shares", ordering="share_count")
    def all_shares(self, article):
        return article.share_count

    @admin.display(description="Emails", ordering="email_count")
    def all_emails(self, article):
        return article.email_count

    @admin.display(description="With gifts", ordering="gift_share_count")
    def gift_shares(self, article):
        return article.gift_share_count


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ["article", "sender", "recipient_count", "with_gift", "created_at"]
    list_filter = ["with_gift", "article__publication"]
    list_select_related = ["article", "sender"]
    search_fields = ["article__title", "sender__email"]
    date_hierarchy = "created_at"

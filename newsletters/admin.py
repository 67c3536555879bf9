"""Newsletters in the admin: the newsletters themselves, who receives them, what each send
delivered — and, for editors, an article's email before it goes: previewed as a subscriber and
as everyone else will get it, and sent to themselves as a test."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.clickjacking import xframe_options_sameorigin

from magazine.models import Article
from newsletters import sending
from newsletters.emails import Rendering
from newsletters.models import Cadence, Delivery, Newsletter, Send, Signup
from outbox.tasks import send_later
from paywall.access import ANONYMOUS, Reader

# The email's own styles are inline, as email needs; its preview page may use them, nothing else.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'self'; "
    "sandbox"
)
AS = {"subscriber": Reader(is_authenticated=True, is_staff=True), "everyone": ANONYMOUS}


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = ["name", "publication", "cadence", "on_by_default", "receiving"]
    list_filter = ["publication", "cadence"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "publication", "name", "slug", "description", "sender_name", "cadence", "on_by_default",
        "position",
    ]  # fmt: skip

    def get_queryset(self, request):
        receiving = Q(signups__confirmed_at__isnull=False, signups__unsubscribed_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            .select_related("publication")
            .annotate(receiving_count=Count("signups", filter=receiving))
        )

    @admin.display(description="Readers", ordering="receiving_count")
    def receiving(self, newsletter):
        return newsletter.receiving_count

    def get_urls(self):
        preview = self.admin_site.admin_view(email_preview)
        raw = self.admin_site.admin_view(email_preview_html)
        return [
            path("preview/<int:article_id>/", preview, name="newsletters_email_preview"),
            path(
                "preview/<int:article_id>/<int:newsletter_id>/<str:reader>/",
                raw,
                name="newsletters_email_preview_html",
            ),
            *super().get_urls(),
        ]


def preview_send(article, newsletter):
    """The send this article would make on this newsletter (unsaved: a preview sends nothing)."""
    return Send(
        newsletter=newsletter, article=article, cadence=Cadence.EACH_ARTICLE, subject=article.title
    )


def article_for_preview(request, article_id):
    if not request.user.has_perm("magazine.view_article"):
        raise PermissionDenied
    return get_object_or_404(Article.objects.select_related("publication"), pk=article_id)


def email_preview(request, article_id):
    """The article's email on each newsletter of its publication, as a subscriber and as
    everyone else gets it; POST sends both to the editor."""
    article = article_for_preview(request, article_id)
    newsletters = list(article.publication.newsletters.filter(cadence=Cadence.EACH_ARTICLE))
    if request.method == "POST":
        newsletter = get_object_or_404(
            Newsletter, pk=request.POST.get("newsletter"), publication=article.publication
        )
        send_test(request.user, article, newsletter)
        messages.success(request, f"Two test emails are on their way to {request.user.email}.")
        return redirect("admin:newsletters_email_preview", article_id=article.pk)
    sends = {n.pk: n.sends.filter(article=article).first() for n in newsletters}
    context = {
        **admin.site.each_context(request),
        "title": f"Email: {article.title}",
        "article": article,
        "newsletters": [(n, sends[n.pk]) for n in newsletters],
        "opts": Article._meta,
    }
    return TemplateResponse(request, "admin/newsletters/email_preview.html", context)


@xframe_options_sameorigin
def email_preview_html(request, article_id, newsletter_id, reader):
    article = article_for_preview(request, article_id)
    newsletter = get_object_or_404(Newsletter, pk=newsletter_id, publication=article.publication)
    if reader not in AS:
        raise PermissionDenied
    rendering = Rendering(preview_send(article, newsletter), now=timezone.now())
    html, _ = rendering.parts(rendering.access(AS[reader]))
    response = HttpResponse(html)
    response["Content-Security-Policy"] = PREVIEW_POLICY
    return response


def send_test(user, article, newsletter):
    """The email as a subscriber and as everyone else gets it, to the editor alone."""
    rendering = Rendering(preview_send(article, newsletter), now=timezone.now())
    probe = Signup(pk=0, newsletter=newsletter, user=user)
    for label, reader in (
        ("as a subscriber", AS["subscriber"]),
        ("as everyone else", AS["everyone"]),
    ):
        message = rendering.message(probe, user.email, reader)
        message.subject = f"[Test, {label}] {message.subject}"
        send_later(message)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Signup)
class SignupAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["address", "newsletter", "cadence", "confirmed_at", "unsubscribed_at"]
    list_filter = [
        "newsletter",
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("unsubscribed_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["newsletter", "user"]
    search_fields = ["email", "user__email"]
    actions = ["end"]

    @admin.action(description="Unsubscribe the selected readers", permissions=["delete"])
    def end(self, request, queryset):
        count = queryset.filter(unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())
        self.message_user(request, f"{count} signup(s) ended.", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        # Signups are ended, never deleted: old unsubscribe links must keep naming them.
        return obj is None and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Send)
class SendAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "subject",
        "newsletter",
        "created_at",
        "progress",
        "sent",
        "suppressed",
        "skipped",
        "failed",
        "unconfirmed",
        "waiting",
    ]
    list_filter = ["newsletter"]
    list_select_related = ["newsletter"]
    date_hierarchy = "created_at"
    exclude = ["articles"]
    actions = ["pause", "resume", "cancel"]

    def get_queryset(self, request):
        def count(state):
            return Count("deliveries", filter=Q(deliveries__state=state))

        S = Delivery.State
        return super().get_queryset(request).annotate(
            sent_count=count(S.SENT), skipped_count=count(S.SKIPPED), failed_count=count(S.FAILED),
            sending_count=count(S.SENDING), queued_count=count(S.QUEUED),
            suppressed_count=Count(
                "deliveries",
                filter=Q(deliveries__state=S.SKIPPED, deliveries__detail=sending.SUPPRESSED),
            ),
        )  # fmt: skip

    @admin.display(description="Sent", ordering="sent_count")
    def sent(self, send):
        return send.sent_count

    @admin.display(description="Suppressed")
    def suppressed(self, send):
        return send.suppressed_count

    @admin.display(description="Not sent (unsubscribed, paused, cancelled…)")
    def skipped(self, send):
        return send.skipped_count - send.suppressed_count

    @admin.display(description="Failed")
    def failed(self, send):
        return send.failed_count

    @admin.display(description="Not confirmed by the mail server")
    def unconfirmed(self, send):
        return send.sending_count

    @admin.display(description="Waiting")
    def waiting(self, send):
        return send.queued_count

    @admin.display(description="State")
    def progress(self, send):
        if send.cancelled_at:
            return f"Cancelled {date_format(send.cancelled_at, 'DATETIME_FORMAT')}"
        if send.finished_at:
            return f"Finished {date_format(send.finished_at, 'DATETIME_FORMAT')}"
        return "Paused" if send.paused_at else "Sending"

    def has_control_permission(self, request):
        return request.user.has_perm("newsletters.control_send")

    @admin.action(description="Pause the selected sends", permissions=["control"])
    def pause(self, request, queryset):
        count = sending.pause(queryset, timezone.now())
        self.message_user(request, f"{count} send(s) paused.", messages.SUCCESS)

    @admin.action(description="Resume the selected sends", permissions=["control"])
    def resume(self, request, queryset):
        count = sending.resume(queryset)
        self.message_user(request, f"{count} send(s) resumed.", messages.SUCCESS)

    @admin.action(description="Cancel the selected sends", permissions=["control"])
    def cancel(self, request, queryset):
        count = sending.cancel(queryset, timezone.now())
        self.message_user(request, f"{count} send(s) cancelled.", messages.SUCCESS)

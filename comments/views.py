"""Posting a comment or a reply; editing and deleting one's own; the permalink; staff
moderation from the article page; unsubscribing from reply emails without logging in."""

import re
from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core import signing
from django.db import transaction
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import strip_tags
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comments.flood import client_ip, over_limit
from comments.forms import CommentForm, EditForm
from comments.models import Ban, Comment
from comments.notifications import comment_from_token
from comments.policy import Reason, closes_at, edit_window, may_delete, may_edit
from comments.section import commenting_decision, login_url
from comments.summary import attach_summary
from comments.threads import PAGE_PARAMETER, page_of, thread_page
from comments.writing import approve, delete_comment, edit_comment, mark_spam, post_comment
from magazine.models import Article
from paywall import meter
from paywall.access import can_read

POSTED = "Your comment is published."
HELD = "Thank you! Your comment is awaiting moderation and will appear once it is approved."
EDITED = "Your comment is changed."
EDITED_HELD = "Your comment is changed and is awaiting moderation again because of its links."


def wants_json(request):
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def location(comment, user):
    """The article page that shows `comment` to `user`, scrolled to it."""
    page = page_of(comment, user)
    query = f"?{PAGE_PARAMETER}={page}" if page > 1 else ""
    return f"{comment.article.get_absolute_url()}{query}#{comment.anchor}"


class PostComment(View):
    """A new comment or reply. A refused one is shown again on its article's page with what the
    reader typed: `show_article(request, article, form=, status=)` draws that page, and the
    site's wiring hands it in, so this app never imports the pages that show articles."""

    http_method_names = ["post"]
    show_article = None

    # One transaction: if anything fails after the comment is written (the database going away
    # mid-request), the reader is told it failed and nothing of it was saved.
    @method_decorator(transaction.atomic)
    def post(self, request, article_pk):
        now = timezone.now()
        articles = Article.objects.select_related("publication__comment_settings")
        article = get_object_or_404(articles.published(now), pk=article_pk)
        attach_summary(article, request.user, now=now)
        # As the article's page decided (a free article read is one the reader may discuss);
        # a POST counts no new one.
        access = can_read(meter.metered(request, article, now), article, now=now)
        decision = commenting_decision(request, article, access=access, now=now)
        if not decision:
            return refuse(request, article, decision, now=now)
        form = CommentForm(request.POST, article=article, user=request.user)
        if not form.is_valid():
            return self.rejected(request, article, form, HTTPStatus.BAD_REQUEST)
        if not request.user.is_staff and (message := over_limit(request)):
            form.add_error(None, message)
            return self.rejected(request, article, form, HTTPStatus.TOO_MANY_REQUESTS)
        # Once saved, a failure on the way out (the session, say) must not offer to send it again.
        transaction.on_commit(lambda: setattr(request, "changes_committed", True))
        comment = post_comment(
            article=article,
            user=request.user,
            body=form.cleaned_data["body"],
            parent=form.cleaned_data["parent"],
            notify_replies=form.cleaned_data["notify_replies"],
            ip_address=client_ip(request),
            now=now,
        )
        return posted(request, comment)

    def rejected(self, request, article, form, status):
        if wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=status)
        return self.show_article(request, article, form=form, status=status)


def posted(request, comment):
    held = comment.status == Comment.Status.PENDING
    if wants_json(request):
        return JsonResponse(
            {
                "id": comment.pk,
                "status": comment.status,
                "message": HELD if held else POSTED,
                "url": request.build_absolute_uri(location(comment, request.user)),
            },
            status=HTTPStatus.CREATED,
        )
    messages.success(request, HELD if held else POSTED)
    return redirect(location(comment, request.user))


def refuse(request, article, decision, *, now):
    """Why this reader may not comment here: as JSON, a login page, or a 403 page."""
    if decision.reason == Reason.NOT_LOGGED_IN and not wants_json(request):
        return redirect(login_url(article, thread_page(1, 1)))
    status = (
        HTTPStatus.UNAUTHORIZED if decision.reason == Reason.NOT_LOGGED_IN else HTTPStatus.FORBIDDEN
    )
    context = {
        "decision": decision,
        "article": article,
        "publication": article.publication,
        "closes_at": closes_at(article),
        "ban_reason": article.comment_ban_reason,
        "ban_until": article.comment_ban_until,
        "login_url": login_url(article, thread_page(1, 1)),
    }
    if wants_json(request):
        text = strip_tags(render_to_string("comments/refusal.html", context, request=request))
        return JsonResponse(
            {"reason": decision.reason, "error": re.sub(r"\s+", " ", text).strip()}, status=status
        )
    return render(request, "comments/refused.html", context, status=status)


def own_comment(request, pk):
    return get_object_or_404(
        Comment.objects.select_related("article__publication", "user"), pk=pk, user=request.user
    )


@never_cache
@login_required
def edit(request, pk):
    comment = own_comment(request, pk)
    now = timezone.now()
    banned = Ban.objects.active(now).filter(user=request.user).exists()
    # The comment may quote the article: an author who lost access since does not see it here.
    readable = can_read(request.reader, comment.article, now=now).allowed
    if banned or not readable or not may_edit(comment, request.user, now=now):
        context = {
            "comment": comment,
            "article": comment.article,
            "banned": banned,
            "readable": readable,
        }
        return render(request, "comments/edit_closed.html", context, status=HTTPStatus.FORBIDDEN)
    form = EditForm(request.POST or None, instance=comment)
    if form.is_valid():
        edit_comment(comment, body=form.cleaned_data["body"], now=now)
        held = comment.status == Comment.Status.PENDING
        messages.success(request, EDITED_HELD if held else EDITED)
        return redirect(location(comment, request.user))
    context = {
        "form": form,
        "comment": comment,
        "article": comment.article,
        "editable_until": comment.created_at + edit_window(),
    }
    status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
    return render(request, "comments/edit.html", context, status=status)


@never_cache
@login_required
def delete(request, pk):
    comment = own_comment(request, pk)
    if not may_delete(comment, request.user):
        return redirect(comment.article.get_absolute_url())
    if request.method == "POST":
        back = location(comment, request.user)
        delete_comment(comment)
        messages.success(request, "Your comment is deleted.")
        return redirect(back)
    return render(request, "comments/delete.html", {"comment": comment, "article": comment.article})


def permalink(request, pk):
    """A link to one comment that finds the page it is on."""
    comment = get_object_or_404(
        Comment.objects.shown_to(request.user).select_related("article__publication", "thread"),
        pk=pk,
    )
    return redirect(location(comment, request.user))


@require_POST
@permission_required("comments.change_comment", raise_exception=True)
def moderate(request, pk):
    """Approve a comment, or mark it as spam, from the article page."""
    comments = Comment.objects.filter(pk=pk)
    comment = get_object_or_404(comments.select_related("article__publication", "thread"))
    if request.POST.get("action") not in ("approve", "spam"):
        return HttpResponseBadRequest("Unknown moderation action: use “approve” or “spam”.")
    if request.POST.get("action") == "approve":
        approve(comments, now=timezone.now())
        messages.success(request, "The comment is approved.")
    else:
        mark_spam(comments)
        messages.success(request, "The comment is marked as spam and no longer shown.")
    comment.refresh_from_db()
    return redirect(location(comment, request.user))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """Stop reply emails for one comment: the link in those emails works without logging in,
    and only the button (a POST) changes anything."""
    try:
        comment = Comment.objects.select_related("article").get(pk=comment_from_token(token))
    except (signing.BadSignature, Comment.DoesNotExist):
        return render(request, "comments/unsubscribe_invalid.html", status=HTTPStatus.BAD_REQUEST)
    done = request.method == "POST"
    if done:
        Comment.objects.filter(pk=comment.pk).update(notify_replies=False)
    context = {"comment": comment, "article": comment.article, "done": done}
    return render(request, "comments/unsubscribe.html", context)

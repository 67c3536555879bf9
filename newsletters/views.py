"""The newsletter pages: a reader's choices, the signup box's answer, confirming, unsubscribing,
and each newsletter's archive on the web."""

from http import HTTPStatus

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from magazine.models import published_q
from newsletters import signups
from newsletters.emails import signup_for_token
from newsletters.forms import PreferencesForm, SignupForm, cadence_field
from newsletters.models import DIGESTS, Delivery, Newsletter, Pause, Send, Signup
from newsletters.signups import Scope

ARCHIVE_PAGE = 30


@never_cache
@login_required
def preferences(request):
    now = timezone.now()
    newsletters = list(Newsletter.objects.select_related("publication"))
    if request.method == "POST":
        form = PreferencesForm(request.POST, newsletters=newsletters)
        if form.is_valid():
            chosen, cadences = form.chosen()
            asked = signups.save_choices(request.user, chosen, cadences, now)
            if form.cleaned_data["pause"]:
                until = signups.pause(request.user, now)
                messages.info(request, f"All email is paused until {until:%-d %B %Y}.")
            else:
                signups.resume(request.user)
            messages.success(request, "Your newsletter choices are saved.")
            if asked:
                messages.info(
                    request,
                    f"We have sent a link to {request.user.email}: your newsletters start when "
                    "you follow it.",
                )
            return redirect("newsletter_preferences")
    else:
        form = PreferencesForm(newsletters=newsletters)
    return render(
        request, "newsletters/preferences.html", preferences_context(request.user, form, now)
    )


def preferences_context(user, form, now):
    choices = signups.choices_for(user, now)
    pause = Pause.objects.filter(user=user, until__gt=now).first()
    rows = []
    for newsletter, (on, waiting, cadence) in choices.items():
        field = cadence_field(newsletter)
        rows.append(
            {
                "newsletter": newsletter,
                "on": on,
                "waiting": waiting,
                "cadence": cadence,
                "cadence_field": form[field] if field in form.fields else None,
            }
        )
    return {
        "form": form,
        "rows": rows,
        "paused_until": pause.until if pause else None,
        "pause_days": settings.NEWSLETTER_PAUSE_DAYS,
    }


def signup_limit():
    return f"{settings.NEWSLETTER_SIGNUPS_PER_HOUR_PER_IP}/h/ip"


@csrf_exempt  # the box is on cached pages, which never hold a CSRF token; it only sends a link
@require_POST
@never_cache
def signup(request):
    form = SignupForm(request.POST)
    if not form.is_valid():
        return render(request, "newsletters/signup.html", {"form": form}, status=400)
    if not ratelimit.consume(
        request, action="signup", config={"signup": signup_limit()}, app="newsletters"
    ):
        form.add_error(None, "Too many signups from your network: try again in an hour.")
        return render(
            request, "newsletters/signup.html", {"form": form}, status=HTTPStatus.TOO_MANY_REQUESTS
        )
    address = form.cleaned_data["email"]
    if not form.is_robot():
        signups.request(address, form.cleaned_data["newsletters"], timezone.now())
    context = {"email": address, "newsletters": form.cleaned_data["newsletters"]}
    return render(request, "newsletters/check_inbox.html", context)


@never_cache
def confirm(request, token):
    """GET shows a button and POST confirms: a mail scanner that opens every link must not
    sign anyone up."""
    pending = signups.signups_to_confirm(token)
    if pending is None:
        return render(request, "newsletters/invalid_link.html", {"kind": "confirm"}, status=400)
    if request.method == "POST":
        confirmed = signups.confirm(pending, timezone.now())
        return render(request, "newsletters/confirmed.html", {"signups": confirmed})
    return render(request, "newsletters/confirm.html", {"signups": pending})


@csrf_exempt  # the link's token is the authority, and mail clients post without cookies
@never_cache
def unsubscribe(request, token):
    """GET shows what the link ends, with a button; POST ends it. The link speaks for the
    reader it was sent to, whoever is logged in."""
    signup_id = signup_for_token(token)
    signup = (
        Signup.objects.filter(pk=signup_id)
        .select_related("newsletter__publication", "user")
        .first()
        if signup_id
        else None
    )
    if signup is None:
        return render(request, "newsletters/invalid_link.html", {"kind": "unsubscribe"}, status=400)
    context = {"signup": signup, "newsletter": signup.newsletter, "token": token}
    if request.method != "POST":
        return render(request, "newsletters/unsubscribe.html", context)
    now = timezone.now()
    if request.POST.get("action") == "resubscribe":
        signups.resubscribe(signup, now)
        return render(request, "newsletters/resubscribed.html", context)
    scope = request.POST.get("scope", Scope.THIS)
    if scope not in (Scope.THIS, Scope.PUBLICATION, Scope.EVERYTHING):
        scope = Scope.THIS
    ended = signups.unsubscribe(signup, scope, now)
    context |= {"scope": scope, "ended": ended}
    return render(request, "newsletters/unsubscribed.html", context)


def archive(request, slug):
    """The newsletter's past issues: each article it sent (its page is gated as every article
    page is) and each digest (titles and teasers, which anyone may read)."""
    newsletter = get_object_or_404(Newsletter.objects.select_related("publication"), slug=slug)
    sent = Delivery.objects.filter(send=OuterRef("pk"), state=Delivery.State.SENT)
    still_published = Q(cadence__in=DIGESTS) | published_q(timezone.now(), "article__")
    sends = (
        newsletter.sends.filter(Exists(sent), still_published)
        .select_related("article__publication", "newsletter")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(sends, ARCHIVE_PAGE).get_page(request.GET.get("page"))
    return render(request, "newsletters/archive.html", {"newsletter": newsletter, "page_obj": page})


def issue(request, slug, pk):
    """One digest as it was sent: its articles' titles, teasers and links."""
    send = get_object_or_404(
        Send.objects.select_related("newsletter__publication"), pk=pk, newsletter__slug=slug
    )
    now = timezone.now()
    if not send.is_digest:
        if not (send.article and send.article.is_published(now)):
            raise Http404("This article is no longer published.")
        return redirect(send.article.get_absolute_url())
    if not send.deliveries.filter(state=Delivery.State.SENT).exists():
        raise Http404("This issue was not sent.")
    articles = send.digest_articles(now)
    return render(
        request,
        "newsletters/issue.html",
        {"newsletter": send.newsletter, "send": send, "articles": articles},
    )

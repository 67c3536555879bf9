"""The reader's own pages: "My account", and the login view taught about the paywall form."""

from allauth.account.views import LoginView as AllauthLoginView
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import UpdateView

from accounts.forms import ProfileForm
from accounts.login import remember_failed_login
from accounts.models import FeedToken, new_feed_key
from paywall.models import EditionAccess, Subscription


class LoginView(AllauthLoginView):
    """allauth's login; a failed login from an article's paywall form goes back to the article,
    where the inline form shows the error and what the reader typed."""

    def form_invalid(self, form):
        # get_next_url() is allauth's check that `next` is one of this site's URLs.
        next_url = self.get_next_url() if self.request.POST.get("paywall") else None
        if not next_url:
            return super().form_invalid(form)
        remember_failed_login(self.request, form)
        return redirect(f"{next_url}#paywall")


class AccountView(LoginRequiredMixin, UpdateView):
    """My account: profile, email and password links, subscriptions and single issues held, and
    logged-in devices."""

    template_name = "accounts/account.html"
    form_class = ProfileForm
    success_url = reverse_lazy("account_overview")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, "Your profile is saved.")
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        now = timezone.now()
        subscriptions = (
            Subscription.objects.filter(user=self.request.user)
            .select_related("plan")
            .prefetch_related("plan__publications")
            .order_by("-ends_at")
        )
        return super().get_context_data(
            subscriptions=[(s, s.status(at=now)) for s in subscriptions],
            editions=EditionAccess.objects.filter(user=self.request.user, revoked_at=None)
            .exclude(issue__edition="")
            .select_related("issue__publication")
            .order_by("-issue__cover_date"),
            sessions=UserSession.objects.purge_and_list(self.request.user),
            current_session_key=self.request.session.session_key,
            feed_token=FeedToken.objects.filter(user=self.request.user).first(),
            **kwargs,
        )


@require_POST
@login_required
def reset_private_feed(request):
    """Give the reader a private feed address, or a new one: the old address stops working."""
    _, created = FeedToken.objects.update_or_create(
        user=request.user, defaults={"key": new_feed_key()}
    )
    if created:
        messages.success(request, "Your private feed is ready: add its address to your reader.")
    else:
        messages.success(
            request, "Your private feed has a new address. The old one no longer works."
        )
    return redirect(reverse("account_overview") + "#private-feed")

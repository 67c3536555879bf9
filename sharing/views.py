"""Send this to a friend: the form (with gift links for subscribers) and the page after it."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.text import get_text_list
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from magazine.now import NowMixin
from paywall import gifts
from sharing import limits
from sharing.emails import send_article_share, subject_for, what_anyone_sees
from sharing.forms import ShareForm


def has_verified_email(user):
    """Whether `user` has shown that their account's email address is theirs."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


@method_decorator(never_cache, name="dispatch")  # personal: the sender's own name and address
class ShareMixin(NowMixin):
    """A share page: for logged-in readers (unless anonymous senders are allowed), about a
    published article, or 404."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated or settings.SHARING_ALLOW_ANONYMOUS):
            return redirect_to_login(request.get_full_path())
        if user.is_authenticated and not has_verified_email(user):
            # Otherwise any free account could mail anyone in the site's name.
            status = 200 if request.method in ("GET", "HEAD") else 403
            context = {"article": self.article, "publication": self.article.publication}
            return render(request, "sharing/verify_first.html", context, status=status)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def article(self):
        return get_object_or_404(
            self.published().select_related("publication"),
            publication__slug=self.kwargs["publication"],
            slug=self.kwargs["slug"],
        )

    def get_context_data(self, **kwargs):
        # Replaces the URL's slugs, which TemplateView passes in under the same names.
        kwargs.update(article=self.article, publication=self.article.publication)
        return super().get_context_data(**kwargs)

    def redirect_to_sent(self):
        return redirect(
            "share_article_sent", publication=self.kwargs["publication"], slug=self.kwargs["slug"]
        )


class ShareView(ShareMixin, FormView):
    template_name = "sharing/share.html"
    form_class = ShareForm

    # One transaction: the share, its gift links and its queued emails are saved together or
    # not at all, so a reader told it failed has sent nothing.
    @method_decorator(transaction.atomic)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    @cached_property
    def gifts_left(self):
        """Gift links the sender may still give with this article, or None if they may give none."""
        if not gifts.may_give(self.request.reader, self.article, now=self.now):
            return None
        return gifts.gifts_left(self.request.user, now=self.now)

    def get_initial(self):
        user = self.request.user
        return {"sender_name": user.get_full_name()} if user.is_authenticated else {}

    def get_form_kwargs(self):
        max_recipients = (
            settings.SHARING_MAX_RECIPIENTS
            if self.request.user.is_authenticated
            else settings.SHARING_ANONYMOUS_MAX_RECIPIENTS
        )
        return {
            **super().get_form_kwargs(),
            "max_recipients": max_recipients,
            "sender_email": self.request.user.email if self.request.user.is_authenticated else None,
            "gifts_left": self.gifts_left,
        }

    def get_context_data(self, **kwargs):
        paragraphs, _ = what_anyone_sees(self.article, now=self.now)
        return super().get_context_data(
            subject=subject_for(self.article), preview_paragraphs=paragraphs[:1], **kwargs
        )

    def form_valid(self, form):
        if form.is_from_a_robot:
            return self.redirect_to_sent()  # looks like success to the robot; nothing is sent
        recipients = form.cleaned_data["to"]
        verdict = limits.take(self.request, len(recipients), now=self.now)
        if not verdict:
            return self.over_the_limit(form, verdict)
        # Once saved, a failure on the way out (the session, say) must not offer to send it again.
        transaction.on_commit(lambda: setattr(self.request, "changes_committed", True))
        try:
            send_article_share(
                article=self.article,
                sender=self.request.user if self.request.user.is_authenticated else None,
                sender_name=form.cleaned_data["sender_name"],
                sender_email=form.cleaned_data.get("sender_email"),
                recipients=recipients,
                note=form.cleaned_data["note"],
                gift=form.cleaned_data.get("gift", False),
                reader=self.request.reader,
                now=self.now,
            )
        except gifts.GiftRefused as refused:
            limits.give_back(self.request, len(recipients), now=self.now)
            form.add_error("gift", str(refused))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Your email about “{self.article.title}” is on its way to "
            f"{get_text_list(recipients, 'and')}.",
        )
        return self.redirect_to_sent()

    def over_the_limit(self, form, verdict):
        form.add_error(
            None,
            f"That would take you past the limit of {verdict.limit} emails an hour, so nothing "
            "was sent. Try fewer friends, or try again later.",
        )
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response


class ShareSentView(ShareMixin, TemplateView):
    template_name = "sharing/sent.html"

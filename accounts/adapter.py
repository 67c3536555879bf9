from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings

from magazine import site
from outbox.tasks import send_later


def configured_site():
    """The site as emails name it: its configured name and address, not the request's Host."""
    return SimpleNamespace(name=settings.SITE_NAME, domain=site.domain())


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """As allauth does, but through the task queue: a view never waits on the mail server."""
        ctx = {
            "request": allauth_context.request,
            "email": email,
            "current_site": configured_site(),
        }
        ctx.update(context)
        send_later(self.render_mail(template_prefix, email, ctx))

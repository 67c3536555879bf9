"""allauth, bent to the site: its emails go through the outbox, and every link in them is on the
site's own address (`SITE_URL`), never on the Host header of the request that caused them."""

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
        """As allauth does, but through the task queue (a view never waits on the mail server),
        and with the links allauth built from the request (`…_url`) put on the site's address."""
        ctx = {
            "request": allauth_context.request,
            "email": email,
            "current_site": configured_site(),
        }
        ctx.update(context)
        for name, value in context.items():
            if name.endswith("_url") and isinstance(value, str):
                ctx[name] = site.on_site(value)
        send_later(self.render_mail(template_prefix, email, ctx))

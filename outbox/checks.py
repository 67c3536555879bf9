"""A check for sites that send through an email provider: without a webhook secret, its
webhooks are off (outbox.webhooks), and mail keeps going to addresses that bounce, which
providers punish by suspending the sender."""

from anymail.utils import get_anymail_setting
from django.conf import settings
from django.core import checks


@checks.register()
def bounces_are_heard(app_configs=None, **kwargs):
    if not settings.EMAIL_BACKEND.startswith("anymail.") or get_anymail_setting(
        "webhook_secret", default=None
    ):
        return []
    return [
        checks.Warning(
            "Email goes through a provider, but ANYMAIL_WEBHOOK_SECRET is not set: its webhooks "
            "are off, and the bounces and complaints it reports never reach the site.",
            hint="Set it to a random user:password and give the provider the tracking webhook "
            "https://user:password@<site>/anymail/<provider>/tracking/.",
            id="outbox.W001",
        )
    ]

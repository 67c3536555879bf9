"""Deployment checks for billing: a site set to sell through Stripe without the keys to do it
would take readers to a checkout that fails, and refuse every webhook."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def stripe_is_set_up(app_configs=None, **kwargs):
    if settings.BILLING_PROVIDER != "stripe":
        return []
    missing = [
        name
        for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")
        if not getattr(settings, name)
    ]
    return [
        Error(
            f"BILLING_PROVIDER is stripe but {name} is not set.",
            hint="Set it from the Stripe dashboard (see the README: Going live on Stripe).",
            id="billing.E001",
        )
        for name in missing
    ]

"""What the paywall box says, by the reason the reader may not read on."""

from dataclasses import dataclass

from accounts.login import inline_login_form
from paywall.access import Reason


@dataclass
class PaywallBox:
    reason: Reason
    login_form: object = None
    login_errors: tuple = ()


def paywall_box(request, access):
    """The box for a reader denied the whole article, or None when they may read it."""
    if access.allowed:
        return None
    if request.user.is_authenticated:
        return PaywallBox(access.reason)
    form, errors = inline_login_form(request)
    return PaywallBox(access.reason, form, tuple(errors))

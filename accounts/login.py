"""The paywall's inline login form, and what it shows after a failed attempt.

The form posts to the site's login view. When a login from it fails, that view keeps the
reader's typed email and the errors in the session and sends them back to the article, where
this module hands them to the form once.
"""

from accounts.forms import LoginForm

FAILED_LOGIN_KEY = "paywall_failed_login"


def remember_failed_login(request, form):
    request.session[FAILED_LOGIN_KEY] = {
        "login": str(form.data.get("login", ""))[:254],
        "remember": bool(form.data.get("remember")),
        "errors": [str(error) for error in form.non_field_errors()]
        + [str(error) for name in ("login", "password") for error in form.errors.get(name, [])],
    }


def inline_login_form(request):
    """The form for an anonymous visitor, refilled after a failed attempt: (form, errors)."""
    failed = request.session.pop(FAILED_LOGIN_KEY, None) or {}
    form = LoginForm(
        request=request,
        auto_id="paywall-field-%s",
        initial={"login": failed.get("login", ""), "remember": failed.get("remember", False)},
    )
    return form, failed.get("errors", [])

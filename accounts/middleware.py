"""Keeps a logged-in session alive while it is used (sliding expiry), at most one write per
`TOUCH_INTERVAL` so reading pages does not write the session on every request."""

import time

from django.conf import settings

TOUCH_KEY = "_last_activity"
TOUCH_INTERVAL = 5 * 60


class SessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get(TOUCH_KEY, 0) >= min(
                TOUCH_INTERVAL, settings.SESSION_IDLE_TIMEOUT
            ):
                session[TOUCH_KEY] = now  # saving the session renews its expiry
        return self.get_response(request)

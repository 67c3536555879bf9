"""Keeps a logged-in session alive while it is used (sliding expiry), writing the session at
most once per `TOUCH_INTERVAL`, so reading pages does not write it on every request."""

import time

from django.conf import settings

TOUCH_KEY = "_last_activity"
TOUCH_INTERVAL = 5 * 60


class SessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        now = int(time.time())
        if session.session_key and request.user.is_authenticated:
            interval = min(TOUCH_INTERVAL, settings.SESSION_IDLE_TIMEOUT)
            if now - session.get(TOUCH_KEY, 0) >= interval:
                session[TOUCH_KEY] = now  # saving the session renews its expiry
        response = self.get_response(request)
        if session.modified and request.user.is_authenticated:
            # Being saved anyway (a login, say): stamp it now rather than on the next request.
            session[TOUCH_KEY] = now
        return response

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
        # After the view, which may have logged the user in or out, and so that the user is
        # read together with what the page reads (see caching.batch).
        response = self.get_response(request)
        session = request.session
        if session.session_key and request.user.is_authenticated:
            now = int(time.time())
            interval = min(TOUCH_INTERVAL, settings.SESSION_IDLE_TIMEOUT)
            # A session being saved anyway (a login, say) is stamped now too.
            if session.modified or now - session.get(TOUCH_KEY, 0) >= interval:
                session[TOUCH_KEY] = now  # saving the session renews its expiry
        return response

"""The one place that looks up what a visitor is entitled to, to build their `Reader`."""

from paywall.access import ANONYMOUS, Reader


def reader_for_user(user, *, now):
    """The `Reader` for `user` at `now`."""
    if not user.is_authenticated:
        return ANONYMOUS
    return Reader(is_authenticated=True, is_staff=user.is_staff)


def reader_for_request(request, *, now):
    return reader_for_user(request.user, now=now)

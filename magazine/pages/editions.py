"""A print issue's digital edition: the PDF itself, served only to readers entitled to it.

The file is kept outside the public media folder (`EDITIONS_ROOT`), has no public address, and
is reached only through `edition`, which asks `paywall.access.can_read_edition` on every
request. It is handed over by Django (`FileResponse`) or, behind a front server, by nginx
(`X-Accel-Redirect`) or Apache (`X-Sendfile`): `EDITIONS_SERVED_BY`. With `EDITIONS_STAMPED`,
what is handed over is the reader's own copy, every page stamped with their email address.
"""

import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from accounts.backends import user_key
from caching.generations import cached_at
from magazine.changes import CONTENT
from magazine.models import Issue, editions_storage
from magazine.stamping import Unstampable, stamped_copy
from paywall.access import can_read_edition
from paywall.readers import reader_keys
from paywall.templatetags.paywall_tags import subscribe_href

logger = logging.getLogger(__name__)


# An issue found by its edition's key is kept this long in the shared cache (while the site's
# content is unchanged: saving an issue or its publication moves the content generation).
ISSUE_SECONDS = 60 * 60


def edition(request, key):
    issue = issue_with_edition(key)
    now = timezone.now()
    access = can_read_edition(request.reader, issue, now=now)
    if not access.allowed:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return redirect(subscribe_href(issue.publication))
    try:
        response = handed_over(file_for(request.user, issue, now))
    except (Unstampable, OSError):  # a PDF that cannot be stamped; a disk full or read-only
        logger.exception("The edition of %s (%s) cannot be stamped, so is not served.", issue, key)
        return HttpResponse(
            "Your copy of this edition cannot be prepared just now. Please try again later.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response["Content-Type"] = "application/pdf"
    response["Content-Disposition"] = f'inline; filename="{download_name(issue)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def cache_keys(request, user_id, *, key):
    """What the view reads from the cache, for `caching.batch` to fetch in one round trip with
    the session: the issue, and the reader who asks."""
    keys = [CONTENT, issue_key(key)]
    if user_id is not None:
        keys += [user_key(user_id), *reader_keys(user_id)]
    return keys


edition.cache_keys = cache_keys


def issue_key(key):
    return f"edition-issue:{key}"


def issue_with_edition(key):
    """The issue whose edition is `key` (404 if none has it). A reader turning to an edition
    asks for it again and again: it is kept in the shared cache; a key that names no issue is
    not."""

    def find():
        return get_object_or_404(
            Issue.objects.select_related("publication").exclude(edition=""), edition_key=key
        )

    return cached_at(issue_key(key), generations=[CONTENT], compute=find, timeout=ISSUE_SECONDS)


def download_name(issue):
    return f"{issue.publication.slug}-vol-{issue.volume}-no-{issue.number}.pdf"


def file_for(user, issue, now):
    """The edition's file, or with `EDITIONS_STAMPED` the reader's stamped copy (staff's too: a
    copy that leaves names whoever took it). Never the unstamped file when stamping is on."""
    if not settings.EDITIONS_STAMPED:
        return issue.edition.name
    try:
        return stamped_copy(issue, user, now)
    except FileNotFoundError:
        raise Http404("This edition's file is missing.") from None


def handed_over(name):
    """The response that carries the file `name` in the editions' storage: its bytes, or the
    front server's instruction."""
    server = settings.EDITIONS_SERVED_BY
    if server == "nginx":
        response = HttpResponse()
        response["X-Accel-Redirect"] = settings.EDITIONS_INTERNAL_URL + name
        return response
    storage = editions_storage()
    if server == "apache":
        response = HttpResponse()
        response["X-Sendfile"] = storage.path(name)
        return response
    try:
        return FileResponse(storage.open(name, "rb"))
    except FileNotFoundError:
        raise Http404("This edition's file is missing.") from None

"""A print issue's digital edition: the PDF itself, served only to readers entitled to it.

The file is kept outside the public media folder (`EDITIONS_ROOT`), has no public address, and
is reached only through `edition`, which asks `paywall.access.can_read_edition` on every
request. It is handed over by Django (`FileResponse`) or, behind a front server, by nginx
(`X-Accel-Redirect`) or Apache (`X-Sendfile`): `EDITIONS_SERVED_BY`.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from magazine.models import Issue
from paywall.access import can_read_edition
from paywall.templatetags.paywall_tags import subscribe_href


def edition(request, key):
    issue = get_object_or_404(
        Issue.objects.select_related("publication").exclude(edition=""), edition_key=key
    )
    access = can_read_edition(request.reader, issue, now=timezone.now())
    if not access.allowed:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return redirect(subscribe_href(issue.publication))
    response = handed_over(issue)
    response["Content-Type"] = "application/pdf"
    response["Content-Disposition"] = f'inline; filename="{download_name(issue)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def download_name(issue):
    return f"{issue.publication.slug}-vol-{issue.volume}-no-{issue.number}.pdf"


def handed_over(issue):
    """The response that carries the file: its bytes, or the front server's instruction."""
    server = settings.EDITIONS_SERVED_BY
    if server == "nginx":
        response = HttpResponse()
        response["X-Accel-Redirect"] = settings.EDITIONS_INTERNAL_URL + issue.edition.name
        return response
    if server == "apache":
        response = HttpResponse()
        response["X-Sendfile"] = issue.edition.path
        return response
    try:
        return FileResponse(issue.edition.open("rb"))
    except FileNotFoundError:
        raise Http404("This edition's file is missing.") from None

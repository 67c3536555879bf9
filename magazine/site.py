"""The site's public address (`SITE_URL`), the one place it is read: every absolute link the
site writes — in emails, feeds, sitemaps, canonical URLs — is on it, never on the request's
Host header."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def absolute_url(path):
    """`path` on the site's configured address (a whole http(s) address is left as it is)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + "/" + path.lstrip("/")


def scheme():
    """ "https" or "http", as `SITE_URL` says."""
    return urlsplit(settings.SITE_URL).scheme


def domain():
    """The host (and port, if any) of `SITE_URL`."""
    return urlsplit(settings.SITE_URL).netloc


def on_site(url):
    """`url` (absolute or not) with the site's own address in place of whatever host it names:
    a link built from a request's Host header, which the client chooses, made safe to mail."""
    parts = urlsplit(url)
    path = "/" + parts.path.lstrip("/")
    return absolute_url(urlunsplit(("", "", path, parts.query, parts.fragment)))

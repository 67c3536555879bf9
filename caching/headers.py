"""The headers that keep a response out of every cache but the visitor's own browser."""

from django.utils.cache import patch_cache_control, patch_vary_headers


def keep_private(response):
    """Mark `response` as this visitor's own: private, varying on the cookie. The usual case,
    a response with neither header yet (or with just these), is written without parsing."""
    if (
        response.get("Cache-Control", "private") == "private"
        and response.get("Vary", "Cookie") == "Cookie"
    ):
        response["Cache-Control"] = "private"
        response["Vary"] = "Cookie"
    else:
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Cookie"])

"""/healthz: whether this app server can reach its database and its cache, for a load balancer
or a monitor. It says "ok" or "unavailable" for each and nothing else: no versions, host names or
error messages."""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def cache_answers():
    """The cache's own check where it has one (ours do), else a read that does not fail."""
    is_answering = getattr(cache, "is_answering", None)
    if is_answering is not None:
        return is_answering()
    try:
        cache.get("caching:health")
    except Exception:  # any backend's own failure
        return False
    return True


@never_cache
def healthz(request):
    """200 while the site can serve (a cache that is down only slows it: "degraded"); 503 when
    the database is out of reach."""
    database, cache_ok = database_answers(), cache_answers()
    status = "ok" if database and cache_ok else "degraded" if database else "unavailable"
    return JsonResponse(
        {
            "status": status,
            "database": "ok" if database else "unavailable",
            "cache": "ok" if cache_ok else "unavailable",
        },
        status=200 if database else 503,
    )

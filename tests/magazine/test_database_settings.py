"""The PostgreSQL session the site runs its queries in."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's"),
]


def test_queries_are_never_jit_compiled():
    """JIT compilation costs hundreds of milliseconds on a page's short queries (the related
    articles of a well-tagged article took half a second at 50,000 articles)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"

"""Path converters for the slugs under which publications and articles live.

They match a slug only when it is not one of the words the site itself uses in that place, so
the article pattern — the site's busiest — can be tried first without hiding the pages that
share its shape (`/<publication>/search/`, `/admin/`).
"""

from django.urls.converters import SlugConverter

from magazine.models import RESERVED_ARTICLE_SLUGS, RESERVED_PUBLICATION_SLUGS


class UnreservedSlugConverter(SlugConverter):
    reserved = frozenset()

    def to_python(self, value):
        if value in self.reserved:
            raise ValueError(f"{value!r} is used by the site itself")
        return value


class PublicationSlugConverter(UnreservedSlugConverter):
    reserved = RESERVED_PUBLICATION_SLUGS


class ArticleSlugConverter(UnreservedSlugConverter):
    reserved = RESERVED_ARTICLE_SLUGS


class YearConverter:
    """A year of four digits that dates can be made of (0000 cannot): /issues/2026/."""

    regex = "[0-9]{4}"

    def to_python(self, value):
        year = int(value)
        if year < 1:
            raise ValueError("there is no year 0")
        return year

    def to_url(self, value):
        return f"{value:04d}"

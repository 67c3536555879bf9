"""Pages of article cards that cost the same however deep they are."""

from django.core.paginator import Paginator


class CardPaginator(Paginator):
    """Pages of a queryset of article cards (`ArticleQuerySet.for_listing`).

    A plain page skips the rows before it with OFFSET, and PostgreSQL computes every skipped
    row's card extras (its comment count above all) before skipping it: page 300 of a large
    publication took half a second. Here the offset is skipped over bare primary keys, and the
    cards are built for the page's own rows only.
    """

    def page(self, number):
        page = super().page(number)
        pks = list(page.object_list.values_list("pk", flat=True))
        cards = self.object_list.filter(pk__in=pks).in_bulk()
        page.object_list = [cards[pk] for pk in pks]
        return page

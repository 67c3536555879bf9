"""Comment counts as annotations, so a page of articles costs no query per article."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from comments.models import Comment


def count_of(comments):
    """The number of `comments` (a queryset with OuterRef in it), as a subquery expression."""
    counted = comments.order_by().values("article").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def comment_count():
    """The outer article's approved comments: what a card or the article page shows."""
    return count_of(Comment.objects.filter(article=OuterRef("pk")).approved())


def with_comment_counts(articles):
    return articles.annotate(comment_count=comment_count())

"""Comment counts as annotations, so a page of articles costs no query per article."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from comments.models import Comment


def with_comment_counts(articles):
    """`articles`, each with `comment_count`: its approved comments, what cards and pages show."""
    approved = Comment.objects.filter(article=OuterRef("pk")).approved()
    counted = approved.order_by().values("article").annotate(n=Count("pk")).values("n")
    return articles.annotate(
        comment_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    )

"""Comment counts as annotations, so a page of articles costs no query per article, and what the
article page needs to know about its comments, fetched with the article itself."""

from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from comments.models import Ban, Comment


def count_of(comments):
    """The number of `comments` (a queryset with OuterRef in it), as a subquery expression."""
    counted = comments.order_by().values("article").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def comment_count():
    """The outer article's approved comments: what a card or the article page shows."""
    return count_of(Comment.objects.filter(article=OuterRef("pk")).approved())


def with_comment_counts(articles):
    return articles.annotate(comment_count=comment_count())


def with_comment_summary(articles, user, *, now):
    """`articles` with what their comment section needs besides the comments themselves:
    the count, the number of threads `user` sees, the publication's settings, and `user`'s
    ban (or, for staff, how many comments wait for them)."""
    annotations = {
        "comment_count": comment_count(),
        "comment_threads": count_of(
            Comment.objects.filter(article=OuterRef("pk")).threads_shown_to(user)
        ),
    }
    if user.is_staff:
        pending = Comment.objects.filter(article=OuterRef("pk"), status=Comment.Status.PENDING)
        annotations["comments_pending"] = count_of(pending)
    elif user.is_authenticated:
        ban = Ban.objects.active(now).filter(user=user).order_by(F("until").desc(nulls_first=True))
        annotations["comment_ban_reason"] = Subquery(ban.values("reason")[:1])
        annotations["comment_ban_until"] = Subquery(ban.values("until")[:1])
    return articles.select_related("publication__comment_settings").annotate(**annotations)

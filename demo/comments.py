"""A few believable conversations under two demo articles, by the demo accounts. Safe to run
again: a comment that exists (same article, author and words) is left as it is."""

from datetime import timedelta

from django.contrib.auth import get_user_model

from comments.models import Comment
from magazine.models import Article

# (article slug, [(author email, hours ago, text, [replies…])])
CONVERSATIONS = [
    (
        "building-soil-you-can-trust",
        [
            (
                "reader@example.com",
                70,
                "We moved onto heavy clay last spring and I nearly gave up on the vegetable "
                "beds. The part about never working wet soil is the lesson I learned the hard "
                "way: the clods I made in April were still there in July.",
                [
                    (
                        "editor@example.com",
                        50,
                        "Rosa, Marguerite swears by a winter cover of cereal rye on clay like "
                        "yours: sow it in early autumn and cut it down before it sets seed. "
                        "There is more on cover crops in the next issue.",
                        [
                            (
                                "reader@example.com",
                                26,
                                "Thank you! Ordering rye seed this week.",
                                [],
                            ),
                        ],
                    ),
                ],
            ),
            (
                "subscriber@example.com",
                30,
                "Twenty years of leaf mould here and it is still the best thing I put on the "
                "garden. Free, too, if the neighbours let you rake their lawns.\n\n"
                "Bag the leaves damp, poke a few holes in the bags, and forget them for a year.",
                [],
            ),
        ],
    ),
    (
        "three-bin-compost-system",
        [
            (
                "subscriber@example.com",
                200,
                "Built this over two weekends with pallets from the feed store. One tip: screw "
                "the front slats in from the inside so they slide out without catching.",
                [
                    (
                        "editor@example.com",
                        180,
                        "Great tip, Sam. We will add it to the plans in the online edition.",
                        [],
                    ),
                ],
            ),
        ],
    ),
]


def ensure_demo_comments(*, now):
    users = {user.email: user for user in get_user_model().objects.filter(is_active=True)}
    for slug, comments in CONVERSATIONS:
        article = Article.objects.filter(slug=slug).first()
        if article is not None:
            for entry in comments:
                _ensure(article, entry, users, parent=None, now=now)


def _ensure(article, entry, users, *, parent, now):
    email, hours_ago, body, replies = entry
    comment = Comment.objects.filter(article=article, user__email=email, body=body).first()
    if comment is None:
        comment = Comment.objects.create_in_thread(
            article=article,
            user=users[email],
            parent=parent,
            body=body,
            status=Comment.Status.APPROVED,
            created_at=now - timedelta(hours=hours_ago),
        )
    for reply in replies:
        _ensure(article, reply, users, parent=comment, now=now)

"""A large, deterministic archive for benchmarks and scale tests, written with bulk inserts.

Same seed, same data: articles, authors, tags, readers and subscriptions are generated from a
seeded random generator, so two benchmark runs measure the same site.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from comments.models import Comment
from demo.accounts import DEMO_PASSWORD
from magazine.changes import content_changed
from magazine.models import Article, Author, Publication, Tag
from magazine.pages.search import index as search_index
from paywall.models import Subscription
from paywall.subscriptions import plan_for_publication

BATCH = 2000
TEXT = (
    "soil compost fence goat hen coop garden harvest winter spring seed water root barn hay "
    "milk cheese bread oven wood stove pantry jar tomato bean squash apple orchard hive honey "
    "bee flock egg feather shed tool blade hinge post wire rain frost sun shade path gate field "
    "pasture fodder straw mulch worm pH clay sand loam season kitchen cellar rope knot ladder "
    "walk sleep heart pressure doctor habit fibre vegetable breath balance stretch muscle"
)
WORDS = TEXT.split()
SCALE_PREFIX = "scale"


def sentence(rng, words=12):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng):
    return " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(3, 6)))


def body(rng):
    teaser = "\n\n".join(paragraph(rng) for _ in range(2))
    rest = "\n\n".join(paragraph(rng) for _ in range(rng.randint(4, 8)))
    return f"{teaser}\n\n<!-- more -->\n\n## {sentence(rng, 4)[:-1]}\n\n{rest}"


def stream(seed, part):
    """A random generator of its own for each part, so what one part finds already in the
    database cannot change what the next part makes."""
    return random.Random(f"{seed}:{part}")


def batched(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def seed_scale(*, articles, comments, subscribers, seed=1, now=None, progress=print):
    """Add articles, subscribed readers and comments (by those readers) to the demo."""
    now = now or timezone.now()
    publications = list(Publication.objects.prefetch_related("sections"))
    if not publications:
        raise ValueError("Load the demo first (python manage.py seed_demo).")
    authors = ensure_authors(stream(seed, "authors"))
    tags = ensure_tags()
    created = create_articles(stream(seed, "articles"), articles, publications, now=now)
    link_articles(stream(seed, "links"), created, authors, tags)
    progress(f"{len(created)} articles; indexing them for search")
    search_index.reindex(Article.objects.filter(pk__in=[a.pk for a in created]))
    readers = create_subscribers(stream(seed, "readers"), subscribers, publications, now=now)
    progress(f"{len(readers)} subscribers")
    made = create_comments(stream(seed, "comments"), comments, readers, now=now)
    progress(f"{made} comments")
    content_changed()
    return created


def analyze():
    """Fresh planner statistics and visibility maps after a bulk load: PostgreSQL plans badly
    without the one, and cannot count from an index without the other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def ensure_authors(rng, count=200):
    existing = {a.slug: a for a in Author.objects.filter(slug__startswith=SCALE_PREFIX)}
    missing = [
        Author(name=f"{sentence(rng, 2)[:-1].title()} {n}", slug=f"{SCALE_PREFIX}-author-{n}")
        for n in range(count)
        if f"{SCALE_PREFIX}-author-{n}" not in existing
    ]
    Author.objects.bulk_create(missing)
    return list(Author.objects.filter(slug__startswith=SCALE_PREFIX))


def ensure_tags():
    Tag.objects.bulk_create(
        [Tag(name=word, slug=f"{SCALE_PREFIX}-{word.lower()}") for word in WORDS],
        ignore_conflicts=True,
    )
    return list(Tag.objects.filter(slug__startswith=SCALE_PREFIX))


def create_articles(rng, count, publications, *, now):
    start = Article.objects.filter(slug__startswith=SCALE_PREFIX).count()
    access_levels = [Article.Access.FREE, Article.Access.REGISTERED, Article.Access.SUBSCRIBERS]
    rows = []
    for n in range(start, start + count):
        publication = rng.choice(publications)
        title = sentence(rng, rng.randint(4, 9))[:-1]
        rows.append(
            Article(
                publication=publication,
                section=rng.choice(list(publication.sections.all())),
                title=title,
                slug=f"{SCALE_PREFIX}-{n}",
                dek=sentence(rng, 18),
                body=body(rng),
                access=rng.choice(access_levels),
                status=Article.Status.PUBLISHED,
                publish_at=now - timedelta(minutes=rng.randint(60, 60 * 24 * 365 * 5)),
            )
        )
    for batch in batched(rows):
        Article.objects.bulk_create(batch)
    return list(Article.objects.filter(slug__startswith=SCALE_PREFIX).order_by("pk")[start:])


def link_articles(rng, articles, authors, tags):
    author_links = Article.authors.through
    tag_links = Article.tags.through
    author_rows, tag_rows = [], []
    for article in articles:
        for author in rng.sample(authors, rng.randint(1, 2)):
            author_rows.append(author_links(article_id=article.pk, author_id=author.pk))
        for tag in rng.sample(tags, rng.randint(1, 4)):
            tag_rows.append(tag_links(article_id=article.pk, tag_id=tag.pk))
    for batch in batched(author_rows):
        author_links.objects.bulk_create(batch)
    for batch in batched(tag_rows):
        tag_links.objects.bulk_create(batch)


def create_subscribers(rng, count, publications, *, now):
    User = get_user_model()
    start = User.objects.filter(email__startswith=f"{SCALE_PREFIX}-").count()
    password = make_password(DEMO_PASSWORD)
    users = [
        User(email=f"{SCALE_PREFIX}-{n}@example.com", password=password)
        for n in range(start, start + count)
    ]
    for batch in batched(users):
        User.objects.bulk_create(batch)
    created = User.objects.filter(email__startswith=f"{SCALE_PREFIX}-").order_by("pk")[start:]
    plans = [plan_for_publication(p) for p in publications]
    subscriptions = []
    for user in created:
        ends_at = now + timedelta(days=rng.randint(-60, 365))
        subscriptions.append(
            Subscription(
                user=user,
                plan=rng.choice(plans),
                starts_at=ends_at - timedelta(days=rng.choice([30, 365, 730])),
                ends_at=ends_at,
                source=Subscription.Source.IMPORT,
            )
        )
    for batch in batched(subscriptions):
        Subscription.objects.bulk_create(batch)
    return list(created)


def reply_time(rng, parent_time, now):
    """Some minutes after the comment it answers, and never in the future."""
    return min(parent_time + timedelta(minutes=rng.randint(1, 600)), now)


def create_comments(rng, count, readers, *, now):
    """Exactly `count` approved comments: half start conversations, the rest reply a level
    deeper each time, down to the depth limit. The demo's own articles get the most, so
    benchmarks find long conversations there."""
    if not count or not readers:
        return 0
    busy = list(
        Article.objects.published(now)
        .exclude(slug__startswith=SCALE_PREFIX)
        .values_list("pk", flat=True)
    )
    quiet = list(
        Article.objects.filter(slug__startswith=SCALE_PREFIX).values_list("pk", flat=True)[:20_000]
    )
    targets = busy * 20 + quiet
    depths = settings.COMMENTS_MAX_DEPTH
    parents = []  # (pk, thread, article, time) of the level above
    made = 0
    for depth in range(1, depths + 1):
        size = count // 2 if depth == 1 else (count - made) // (depths - depth + 1)
        if depth == depths:
            size = count - made
        rows = []
        for _ in range(size):
            parent = rng.choice(parents) if depth > 1 else None
            rows.append(
                Comment(
                    article_id=parent[2] if parent else rng.choice(targets),
                    user=rng.choice(readers),
                    parent_id=parent[0] if parent else None,
                    thread_id=parent[1] if parent else None,
                    depth=depth,
                    body="\n\n".join(paragraph(rng) for _ in range(rng.randint(1, 2))),
                    status=Comment.Status.APPROVED,
                    created_at=reply_time(rng, parent[3], now)
                    if parent
                    else (now - timedelta(minutes=rng.randint(60, 60 * 24 * 300))),
                )
            )
        parents = []
        for batch in batched(rows):
            inserted = Comment.objects.bulk_create(batch)
            if depth == 1:
                Comment.objects.filter(pk__in=[c.pk for c in inserted]).update(thread=F("pk"))
            for comment in inserted:
                thread = comment.pk if depth == 1 else comment.thread_id
                parents.append((comment.pk, thread, comment.article_id, comment.created_at))
        made += len(rows)
    return made

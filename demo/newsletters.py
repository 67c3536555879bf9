"""The demo's newsletters, and demo readers on them, so that publishing one of the demo's
drafts shows its emails going out: whole to the subscriber, the teaser to everyone else."""

from django.contrib.auth import get_user_model

from magazine.models import Publication
from newsletters.models import Cadence, Newsletter, Signup

NEWSLETTERS = [
    # publication, slug, name, cadence, description
    ("homestead", "homestead-new-articles", "Homestead Almanac — new articles",
     Cadence.EACH_ARTICLE, "Each new article, the day it is published."),
    ("health-letter", "good-health-letter", "The Good Health Letter", Cadence.WEEKLY,
     "The week's articles every Monday morning."),
    ("backyard-poultry", "backyard-flock-new-articles", "The Backyard Flock — new articles",
     Cadence.EACH_ARTICLE, "Each new article, the day it is published."),
]  # fmt: skip
READERS = {
    "subscriber@example.com": ["homestead-new-articles", "backyard-flock-new-articles"],
    "reader@example.com": ["homestead-new-articles", "good-health-letter"],
}
ADDRESS_ONLY = {"neighbour@example.com": ["homestead-new-articles"]}


def ensure_demo_newsletters(*, now):
    for position, (publication, slug, name, cadence, description) in enumerate(NEWSLETTERS):
        Newsletter.objects.get_or_create(
            slug=slug,
            defaults={
                "publication": Publication.objects.get(slug=publication),
                "name": name,
                "sender_name": Publication.objects.get(slug=publication).name,
                "cadence": cadence,
                "description": description,
                "on_by_default": True,
                "position": position,
            },
        )
    users = get_user_model().objects.filter(email__in=READERS)
    for user in users:
        for slug in READERS[user.email]:
            Signup.objects.get_or_create(
                newsletter=Newsletter.objects.get(slug=slug),
                user=user,
                defaults={"confirmed_at": now},
            )
    for address, slugs in ADDRESS_ONLY.items():
        for slug in slugs:
            Signup.objects.get_or_create(
                newsletter=Newsletter.objects.get(slug=slug),
                user=None,
                email=address,
                defaults={"confirmed_at": now},
            )

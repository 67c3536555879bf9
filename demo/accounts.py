"""The demo accounts: one of each kind of person who uses the site."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from magazine.models import Publication
from magazine.roles import EDITORS, PUBLISHERS, WRITERS, ensure_staff_groups
from paywall.models import Plan
from paywall.subscriptions import grant, plan_for_publication

DEMO_PASSWORD = "magazine-demo"
SUBSCRIBED_PUBLICATION = "homestead"
DEMO_ACCOUNTS = [
    ("editor@example.com", "staff, Editors group: writes, reviews, schedules and publishes"),
    ("writer@example.com", "staff, Writers group: drafts and submits for review"),
    ("publisher@example.com", "staff, Publishers group: prices, payments, refunds, revenue"),
    ("subscriber@example.com", f"reader subscribed to {SUBSCRIBED_PUBLICATION} only"),
    ("reader@example.com", "registered reader, no subscription"),
]


def ensure_user(email, *, display_name, group=None):
    user, created = get_user_model().objects.get_or_create(
        email=email, defaults={"display_name": display_name, "is_staff": group is not None}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def ensure_plans():
    """A plan per publication, and a bundle of all of them."""
    publications = list(Publication.objects.all())
    for publication in publications:
        plan_for_publication(publication)
    bundle, _ = Plan.objects.get_or_create(
        slug="all-access",
        defaults={
            "name": "All three titles",
            "description": "Every publication we print, for less than two of them.",
        },
    )
    bundle.publications.add(*publications)


def ensure_demo_accounts(*, now):
    ensure_staff_groups()
    ensure_plans()
    ensure_user("editor@example.com", display_name="Eda Editor", group=EDITORS)
    ensure_user("writer@example.com", display_name="Wren Writer", group=WRITERS)
    ensure_user("publisher@example.com", display_name="Pat Publisher", group=PUBLISHERS)
    ensure_user("reader@example.com", display_name="Rosa Reader")
    subscriber = ensure_user("subscriber@example.com", display_name="Sam Subscriber")
    publication = Publication.objects.filter(slug=SUBSCRIBED_PUBLICATION).first()
    if publication:
        grant(
            user=subscriber,
            plan=plan_for_publication(publication),
            until=now + timedelta(days=365),
            now=now,
        )

"""The demo accounts: one of each kind of person who uses the site."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from magazine.roles import EDITORS, WRITERS, ensure_staff_groups

DEMO_PASSWORD = "magazine-demo"
DEMO_ACCOUNTS = [
    ("editor@example.com", "staff, Editors group: writes, reviews, schedules and publishes"),
    ("writer@example.com", "staff, Writers group: drafts and submits for review"),
]


def ensure_user(email, *, display_name, group=None):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        email=email, defaults={"display_name": display_name, "is_staff": group is not None}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def ensure_demo_accounts(*, now):
    ensure_staff_groups()
    ensure_user("editor@example.com", display_name="Eda Editor", group=EDITORS)
    ensure_user("writer@example.com", display_name="Wren Writer", group=WRITERS)

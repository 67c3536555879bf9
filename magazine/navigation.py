"""The site menu, cached: every page shows it, and it changes only when a publication or
section does."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from caching import batch
from magazine.models import Publication, Section

MENU_KEY = "navigation:publications"


def publications_menu():
    """Every publication in menu order, each with its sections: one query, then cached."""
    menu = cache.get(MENU_KEY)
    if menu is None:
        menu = _build_menu()
        cache.set(MENU_KEY, menu, timeout=None)
    return menu


def _build_menu():
    rows = Publication.objects.order_by("position", "name", "sections__position", "sections__name")
    menu = {}
    for row in rows.values("slug", "name", "accent_color", "sections__slug", "sections__name"):
        entry = menu.setdefault(
            row["slug"],
            {
                "slug": row["slug"],
                "name": row["name"],
                "accent": row["accent_color"],
                "url": reverse("publication", kwargs={"publication": row["slug"]}),
                "sections": [],
            },
        )
        if row["sections__slug"]:
            entry["sections"].append(
                {
                    "slug": row["sections__slug"],
                    "name": row["sections__name"],
                    "url": reverse(
                        "section",
                        kwargs={"publication": row["slug"], "section": row["sections__slug"]},
                    ),
                }
            )
    return list(menu.values())


def menu_entry(slug):
    return next((entry for entry in publications_menu() if entry["slug"] == slug), None)


def forget_menu(**kwargs):
    batch.delete(MENU_KEY)  # now, and again when the transaction commits


def connect():
    for model in (Publication, Section):
        post_save.connect(forget_menu, sender=model, dispatch_uid=f"menu-save-{model.__name__}")
        post_delete.connect(forget_menu, sender=model, dispatch_uid=f"menu-delete-{model.__name__}")

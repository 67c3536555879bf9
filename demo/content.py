"""Loads the demo publications from the TOML files beside this module. Safe to run again:
what exists is left as it is (editors may have changed it), what is missing is created."""

import tomllib
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from demo.images import landscape_jpeg
from magazine.models import Article, Author, Issue, Publication, Section, Tag

CONTENT_DIR = Path(__file__).parent / "content"
PUBLICATION_FIELDS = [
    "name", "kind", "tagline", "description", "accent_color", "paywall_pitch", "subscribe_text",
    "print_issues_per_year", "free_articles_anonymous", "free_articles_registered",
]  # fmt: skip


def demo_files():
    return sorted(CONTENT_DIR.glob("*.toml"))


@transaction.atomic
def load_publication(path, *, now, position=0):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    info = data["publication"]
    publication, _ = Publication.objects.get_or_create(
        slug=info["slug"],
        defaults={**{f: info[f] for f in PUBLICATION_FIELDS if f in info}, "position": position},
    )
    sections = {
        s["slug"]: Section.objects.get_or_create(
            publication=publication,
            slug=s["slug"],
            defaults={"name": s["name"], "description": s.get("description", ""), "position": i},
        )[0]
        for i, s in enumerate(data["sections"])
    }
    authors = {
        a["slug"]: Author.objects.get_or_create(
            slug=a["slug"], defaults={"name": a["name"], "bio": a.get("bio", "")}
        )[0]
        for a in data["authors"]
    }
    issues = {
        f"{i['volume']}-{i['number']}": Issue.objects.get_or_create(
            publication=publication,
            volume=i["volume"],
            number=i["number"],
            defaults={"title": i.get("title", ""), "cover_date": i["cover_date"]},
        )[0]
        for i in data["issues"]
    }
    created = 0
    for entry in data["articles"]:
        if not Article.objects.filter(publication=publication, slug=entry["slug"]).exists():
            create_article(entry, publication, sections, authors, issues, now=now)
            created += 1
    return publication, created


def create_article(entry, publication, sections, authors, issues, *, now):
    publish_at = (now - timedelta(days=entry["days_ago"])).replace(
        hour=7, minute=0, second=0, microsecond=0
    )
    article = Article(
        publication=publication,
        section=sections[entry["section"]],
        issue=issues.get(entry.get("issue", "")),
        title=entry["title"],
        slug=entry["slug"],
        dek=entry.get("dek", ""),
        body=entry["body"].strip(),
        access=entry["access"],
        status=entry.get("status", Article.Status.PUBLISHED),
        publish_at=publish_at,
        lead_image_alt=entry["lead_image_alt"],
        seo_description=entry.get("seo_description", ""),
    )
    image = landscape_jpeg(f"{publication.slug}/{entry['slug']}", publication.accent_color)
    article.lead_image.save(f"{entry['slug']}.jpg", ContentFile(image), save=False)
    article.save()
    article.authors.set(authors[slug] for slug in entry["authors"])
    article.tags.set(
        Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in entry.get("tags", [])
    )
    return article

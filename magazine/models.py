"""Publications and what they print: sections, authors, print issues, tags and articles."""

import math
import os
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxLengthValidator, MaxValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

# First path segments the site itself uses; a publication slug may not take one.
RESERVED_PUBLICATION_SLUGS = frozenset(
    {
        "accounts", "admin", "api", "feeds", "gift", "media", "preview", "robots.txt", "search",
        "share", "sitemap.xml", "static", "comments", "subscribe", "account", "accents.css",
        "healthz", "billing", "newsletters", "anymail", "editions",
    }
)  # fmt: skip
# Second path segments under a publication that are not articles.
RESERVED_ARTICLE_SLUGS = frozenset(
    {"authors", "comments", "feed", "feeds", "gift", "issues", "page", "preview", "search",
     "sections", "share", "subscribe", "tags"}
)  # fmt: skip

WORDS_PER_MINUTE = 230
# The longest body a writer may save: far past any article, and still rendered in a moment.
MAX_BODY_LENGTH = 200_000
SEARCH_FIELDS = (
    "search_text",
    "search_whole_text",
    "search_vector",
)  # kept by magazine.pages.search


def validate_publication_slug(value):
    if value in RESERVED_PUBLICATION_SLUGS:
        raise ValidationError("“%(value)s” is used by the site itself.", params={"value": value})


def validate_article_slug(value):
    if value in RESERVED_ARTICLE_SLUGS:
        raise ValidationError(
            "“%(value)s” is used for the publication's own pages.", params={"value": value}
        )


class SearchVectorIndex(GinIndex):
    """GIN on PostgreSQL; other databases, whose simpler search does not use it, get a plain
    index so that the same migrations run everywhere."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return models.Index.create_sql(self, model, schema_editor, using=using, **kwargs)


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour like #2f6b3a.")


class Publication(models.Model):
    class Kind(models.TextChoices):
        MAGAZINE = "magazine", "Magazine"
        NEWSLETTER = "newsletter", "Newsletter"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True, validators=[validate_publication_slug])
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MAGAZINE)
    tagline = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    accent_color = models.CharField(
        "accent colour",
        max_length=7,
        default="#8a2b2b",
        validators=[hex_colour],
        help_text="Used for the masthead and links. White text must be readable on it.",
    )
    logo = models.ImageField(upload_to="publications/", blank=True)
    paywall_pitch = models.TextField(
        blank=True,
        help_text="Shown in the paywall box, e.g. “Subscribers will have unlimited access to …”.",
    )
    subscribe_text = models.CharField(
        max_length=300, blank=True, help_text="How to subscribe: price, phone, where to write."
    )
    subscribe_url = models.URLField(
        blank=True,
        help_text="Leave empty to sell subscriptions here. An address elsewhere, for publishers "
        "who sell through someone else: the “Subscribe” button leads there instead.",
    )
    print_issues_per_year = models.PositiveSmallIntegerField(
        default=0, help_text="Printed issues a subscription includes each year (0: web only)."
    )
    back_issues_for_subscribers = models.BooleanField(
        "back issues for subscribers",
        default=True,
        help_text="Current subscribers may read the digital editions of issues from before their "
        "subscription began (off: only the issues they subscribed for).",
    )
    free_articles_anonymous = models.PositiveSmallIntegerField(
        "free articles for visitors",
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="Subscribers-only articles a visitor without an account may read whole in any "
        "30 days (0: none, the paywall at once).",
    )
    free_articles_registered = models.PositiveSmallIntegerField(
        "free articles for registered readers",
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="The same for readers with a free account and no subscription: more than for "
        "visitors turns the wall they meet into “create a free account to read more”.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the site menu.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("publication", kwargs={"publication": self.slug})


class Section(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["publication", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "slug"], name="section_slug_unique"),
        ]

    def __str__(self):
        return f"{self.publication.name} › {self.name}"

    def get_absolute_url(self):
        return reverse(
            "section", kwargs={"publication": self.publication.slug, "section": self.slug}
        )


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="authors/", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class EditionStorage(FileSystemStorage):
    """Where digital editions are kept: outside the public media folder (`EDITIONS_ROOT`, read
    when used), and with no address of their own — `magazine.pages.editions` serves them."""

    @property
    def base_location(self):
        return settings.EDITIONS_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        return None


def editions_storage():
    return EditionStorage()


def edition_path(issue, filename):
    """An edition's file is named for its issue's key, whatever it was uploaded as: a plain
    name a front server finds, and nothing to guess from."""
    return f"editions/{issue.edition_key}.pdf"


def validate_pdf(file):
    file.seek(0)
    if file.read(5) != b"%PDF-":
        raise ValidationError("This is not a PDF file.")
    file.seek(0)


class Issue(models.Model):
    """A print issue, e.g. Volume 12, Number 3 (Autumn 2026)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="issues")
    volume = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120, blank=True, help_text="e.g. “Autumn 2026”.")
    cover_date = models.DateField()
    cover_image = models.ImageField(upload_to="issues/", blank=True)
    cover_image_alt = models.CharField(max_length=250, blank=True)
    edition = models.FileField(
        "digital edition (PDF)",
        storage=editions_storage,
        upload_to=edition_path,
        blank=True,
        validators=[validate_pdf],
        help_text="The printed edition as a PDF. Kept outside the public media folder and served "
        "only to readers entitled to it.",
    )
    # The edition's address: not the issue's number, which anyone could count through.
    edition_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["publication", "-cover_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "volume", "number"], name="issue_number_unique"
            ),
        ]

    def __str__(self):
        label = f"Vol. {self.volume}, No. {self.number}"
        return f"{label} — {self.title}" if self.title else label

    def get_absolute_url(self):
        return reverse(
            "issue",
            kwargs={
                "publication": self.publication.slug,
                "volume": self.volume,
                "number": self.number,
            },
        )

    def clean(self):
        if self.cover_image and not self.cover_image_alt:
            raise ValidationError(
                {"cover_image_alt": "Describe the cover for readers who can't see it."}
            )


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def published_q(at, prefix=""):
    """The filter for articles that are published and whose publish time has come at `at`."""
    return models.Q(**{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}publish_at__lte": at})


class ArticleQuerySet(models.QuerySet):
    def published(self, at=None):
        """Articles a reader can find at `at` (default: now): published, and their time has come."""
        return self.filter(published_q(at or timezone.now()))

    def for_listing(self):
        """What article cards show, fetched without a query per card (and without the body)."""
        return (
            self.select_related("publication", "section")
            .prefetch_related("authors")
            .defer("body", *SEARCH_FIELDS)
        )


class Article(models.Model):
    class Access(models.TextChoices):
        FREE = "free", "Free for everyone"
        REGISTERED = "registered", "Free account needed"
        SUBSCRIBERS = "subscribers", "Subscribers only"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="articles")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, related_name="articles", blank=True)
    issue = models.ForeignKey(
        Issue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        help_text="The print issue this article appeared in, if any.",
    )
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    title = models.CharField(max_length=200)
    dek = models.TextField(
        "standfirst", max_length=400, blank=True, help_text="One or two sentences under the title."
    )
    slug = models.SlugField(max_length=200, validators=[validate_article_slug])
    body = models.TextField(
        validators=[MaxLengthValidator(MAX_BODY_LENGTH)],
        help_text="Markdown. Put a line <code>&lt;!-- more --&gt;</code> where the free teaser "
        "ends (otherwise the first paragraphs are the teaser). Pull quote: a line "
        "<code>!!! pullquote</code> then the quote indented four spaces. Sidebar: "
        '<code>!!! sidebar "What you can do"</code> then its text indented four spaces.',
    )
    access = models.CharField(
        max_length=20,
        choices=Access.choices,
        default=Access.SUBSCRIBERS,
        help_text="Who may read past the teaser.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="When the article goes live. A future time schedules it; it appears by itself.",
    )
    exempt_from_sampling = models.BooleanField(
        "exempt from sampling",
        default=False,
        help_text="A subscribers-only article that is never among a publication's free articles "
        "a month: always behind the paywall.",
    )
    send_by_email = models.BooleanField(
        "send by email",
        default=True,
        help_text="Email it to the readers of the publication's newsletters when it is published "
        "(once per newsletter, however often it is published again).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lead_image = models.ImageField(
        upload_to="articles/%Y/%m/",
        blank=True,
        width_field="lead_image_width",
        height_field="lead_image_height",
    )
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_alt = models.CharField(
        "lead image alt text",
        max_length=250,
        blank=True,
        help_text="Describe the picture for readers who can't see it. Required with an image.",
    )
    lead_image_caption = models.CharField(max_length=250, blank=True)
    seo_description = models.CharField(
        "search description",
        max_length=160,
        blank=True,
        help_text="For search engines and link previews; the standfirst is used when empty.",
    )
    search_text = models.TextField(
        editable=False,
        default="",
        help_text="What anyone may read of the body, as plain text: all of a free article, else "
        "its teaser. Site search matches and quotes only this, the title and the standfirst.",
    )
    search_whole_text = models.BooleanField(
        default=False,
        editable=False,
        help_text="Whether the search text is the whole body, not just the teaser.",
    )
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", *SEARCH_FIELDS])

    class Meta:
        ordering = ["-publish_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "slug"], name="article_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(lead_image="") | ~models.Q(lead_image_alt=""),
                name="article_lead_image_has_alt",
            ),
        ]
        indexes = [
            models.Index(fields=["publication", "status", "publish_at"]),
            models.Index(fields=["status", "publish_at"]),
            models.Index(fields=["section", "status", "publish_at"]),
            SearchVectorIndex(fields=["search_vector"], name="article_search_vector"),
        ]
        permissions = [("publish_article", "Can publish, schedule and unpublish articles")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("article", kwargs={"publication": self.publication.slug, "slug": self.slug})

    def clean(self):
        errors = {}
        if (
            self.section_id
            and self.publication_id
            and self.section.publication_id != self.publication_id
        ):
            errors["section"] = "Choose a section of this article's publication."
        if (
            self.issue_id
            and self.publication_id
            and self.issue.publication_id != self.publication_id
        ):
            errors["issue"] = "Choose an issue of this article's publication."
        if self.lead_image and not self.lead_image_alt.strip():
            errors["lead_image_alt"] = "Describe the lead image for readers who can't see it."
        if errors:
            raise ValidationError(errors)

    def is_published(self, at=None):
        at = at or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= at
        )

    def is_scheduled(self, at=None):
        at = at or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > at
        )

    @property
    def reading_minutes(self):
        return max(1, math.ceil(len(self.body.split()) / WORDS_PER_MINUTE))

    @property
    def search_description(self):
        """What search engines and link previews may show: never text past the teaser."""
        return self.seo_description or self.dek

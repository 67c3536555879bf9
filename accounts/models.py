"""The site's user: identified by email address, everywhere (the admin included)."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower

from outbox.headers import single_line, validate_single_line


class UserManager(DjangoUserManager):
    use_in_migrations = True

    def _create_user_object(self, username, email, password, **extra_fields):
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.password = ""
        user.set_password(password)
        return user

    def _create_user(self, username, email, password, **extra_fields):
        user = self._create_user_object(username, email, password, **extra_fields)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(None, email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(None, email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Addresses are stored lower-cased; people type them any way they like.
        return self.get(email__iexact=username)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=80,
        blank=True,
        validators=[validate_single_line],
        help_text="Shown with the reader's comments. Leave blank to use the part of the "
        "email address before the @.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        """The name shown with comments and put into emails: always one line."""
        return single_line(self.display_name) or self.email.split("@", 1)[0]

    def get_short_name(self):
        return self.get_full_name()


def new_feed_key():
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """The secret in a reader's private feed address. Resetting it gives a new secret, so an
    address that was shared or leaked stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token"
    )
    key = models.CharField(max_length=64, unique=True, default=new_feed_key)
    issued_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Private feed of {self.user}"

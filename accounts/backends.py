"""Authentication backends that remember who is logged in between requests.

Django reads the user's row on every request of a session; these keep it in the cache and
forget it as soon as the user is saved or deleted (a password change, a deactivation, a login).
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models.signals import post_delete, post_save

from caching import batch

USER_SECONDS = 5 * 60


def user_key(user_id):
    return f"session-user:{user_id}"


class CachedUserMixin:
    def get_user(self, user_id):
        user = batch.get(user_key(user_id))
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                batch.put(user_key(user_id), user, USER_SECONDS)
        return user if user is not None and self.user_can_authenticate(user) else None


class CachedModelBackend(CachedUserMixin, ModelBackend):
    """Django's own backend (the admin's login), remembering the user."""


class CachedAuthenticationBackend(CachedUserMixin, AuthenticationBackend):
    """allauth's backend (login by email, by code), remembering the user."""


def forget_user(sender, instance, **kwargs):
    batch.delete(user_key(instance.pk))


def connect():
    User = get_user_model()
    post_save.connect(forget_user, sender=User, dispatch_uid="forget-session-user-save")
    post_delete.connect(forget_user, sender=User, dispatch_uid="forget-session-user-delete")

"""Joining and leaving newsletters: by a reader with an account, by an address alone (double
opt-in: nothing is sent to it until its owner confirms), and by unsubscribe link.

Subscribing to a newsletter grants nothing to read: what an email carries is the paywall's
decision for its recipient, whoever they are.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from magazine import site
from newsletters.models import Newsletter, Pause, Signup
from outbox import suppression
from outbox.tasks import send_later, templated_message
from paywall.models import Subscription

CONFIRM_SALT = "newsletters.confirm"
# An address asked to confirm is not asked again for this long, however often it is typed in:
# the form cannot be used to flood someone's inbox.
CONFIRMATION_QUIET = timedelta(hours=1)


def has_verified_email(user):
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


# A reader with an account ------------------------------------------------------------------------


def on_by_default_for(user, now):
    """Ids of the newsletters `user` receives without having chosen them: those on by default
    of the publications they subscribe to (until they say otherwise)."""
    publications = Subscription.objects.active(now).filter(user=user).values("plan__publications")
    return set(
        Newsletter.objects.filter(on_by_default=True, publication__in=publications).values_list(
            "pk", flat=True
        )
    )


def choices_for(user, now):
    """Each newsletter with `user`'s current choice: {newsletter: (on, waiting, cadence)}, where
    `waiting` means the address has yet to confirm."""
    signups = {s.newsletter_id: s for s in Signup.objects.filter(user=user)}
    implicit = on_by_default_for(user, now)
    choices = {}
    for newsletter in Newsletter.objects.select_related("publication"):
        signup = signups.get(newsletter.pk)
        if signup is None:
            on, waiting, cadence = newsletter.pk in implicit, False, newsletter.cadence
        else:
            waiting = signup.confirmed_at is None and signup.unsubscribed_at is None
            on, cadence = signup.receiving or waiting, signup.effective_cadence
        choices[newsletter] = (on, waiting, cadence)
    return choices


@transaction.atomic
def save_choices(user, chosen, cadences, now):
    """Make `user`'s signups what they chose: `chosen` newsletters (their ids) at `cadences`
    ({newsletter id: cadence}); every other one ended. An address not yet shown to be theirs
    is asked to confirm before anything is sent to it. Returns whether a confirmation was
    sent."""
    verified = has_verified_email(user)
    implicit = on_by_default_for(user, now)
    signups = {s.newsletter_id: s for s in Signup.objects.filter(user=user)}
    pending = []
    for newsletter in Newsletter.objects.all():
        signup = signups.get(newsletter.pk)
        wanted = newsletter.pk in chosen
        if signup is None and not wanted and newsletter.pk not in implicit:
            continue
        if signup is None:
            signup = Signup(newsletter=newsletter, user=user, created_at=now)
        cadence = cadences.get(newsletter.pk, "")
        signup.cadence = "" if cadence == newsletter.cadence else cadence
        if wanted and not signup.receiving:
            signup.unsubscribed_at = None
            if verified:
                signup.confirmed_at = now
            else:
                signup.confirmed_at = None
                pending.append(signup)
        elif not wanted and (signup.pk is None or signup.unsubscribed_at is None):
            signup.unsubscribed_at = now
        signup.save()
    if chosen and verified:
        suppression.lift(user.email, reasons=[suppression.Reason.UNSUBSCRIBED])
    return ask_to_confirm(user.email, pending, now)


def pause(user, now):
    until = now + timedelta(days=settings.NEWSLETTER_PAUSE_DAYS)
    Pause.objects.update_or_create(user=user, defaults={"until": until})
    return until


def resume(user):
    Pause.objects.filter(user=user).delete()


# An address alone --------------------------------------------------------------------------------


@transaction.atomic
def request(address, newsletters, now):
    """Someone typed `address` into a newsletter form: write the signups down unconfirmed and
    ask the address to confirm. Says nothing about whether the address was known."""
    address = suppression.normalised(address)
    pending = []
    for newsletter in newsletters:
        signup, _ = Signup.objects.get_or_create(
            newsletter=newsletter, user=None, email=address, defaults={"created_at": now}
        )
        if not signup.receiving:
            pending.append(signup)
    return ask_to_confirm(address, pending, now)


def ask_to_confirm(address, signups, now):
    """Email `address` one link that confirms all of `signups`, unless it was asked lately."""
    if not signups or suppression.is_suppressed(address, transactional=True):
        return False
    lately = Signup.objects.filter(
        user=None, email=address, confirmation_sent_at__gt=now - CONFIRMATION_QUIET
    )
    if lately.exists():  # whichever newsletters it was for: one email an hour, at most
        return False
    for signup in signups:
        signup.confirmation_sent_at = now
        signup.save(update_fields=["confirmation_sent_at"])
    token = signing.dumps([s.pk for s in signups], salt=CONFIRM_SALT, compress=True)
    context = {
        "newsletters": [s.newsletter for s in signups],
        "confirm_url": site.absolute_url(reverse("newsletter_confirm", kwargs={"token": token})),
        "days": settings.NEWSLETTER_CONFIRM_DAYS,
        "site_name": settings.SITE_NAME,
    }
    names = ", ".join(s.newsletter.name for s in signups)
    message = templated_message(
        "newsletters/email/confirm",
        context,
        subject=f"Confirm your subscription: {names}",
        to=[address],
    )
    send_later(message)
    return True


def signups_to_confirm(token):
    """The signups a confirmation token names; None when it is not valid (any more)."""
    max_age = timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS)
    try:
        ids = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(ids, list) or not all(isinstance(pk, int) for pk in ids):
        return None
    return list(Signup.objects.filter(pk__in=ids).select_related("newsletter", "user"))


@transaction.atomic
def confirm(signups, now):
    """The owner of the address confirmed: the signups start (a signup that was ended since
    the link was sent stays ended; one ended before it was asked for again starts again), and
    the address comes off the list of those who asked for no email at all. An address that
    has an account gets its newsletters on the account."""
    confirmed = []
    for signup in signups:
        if signup.receiving:
            confirmed.append(signup)
            continue
        if signup.unsubscribed_at and not asked_again(signup):
            continue
        owner = account_for(signup) if signup.confirmed_at is None else None
        if owner is not None:
            signup = move_to_account(signup, owner)
        signup.confirmed_at, signup.unsubscribed_at = now, None
        signup.save(update_fields=["confirmed_at", "unsubscribed_at"])
        confirmed.append(signup)
    for address in {s.address for s in confirmed}:
        suppression.lift(address, reasons=[suppression.Reason.UNSUBSCRIBED])
    return confirmed


def asked_again(signup):
    """Whether the address asked for this newsletter again after it last unsubscribed."""
    sent = signup.confirmation_sent_at
    return sent is not None and sent > signup.unsubscribed_at


def account_for(signup):
    """The active account that has verified the address of an address-only signup, if any
    (an account that merely typed the address in proves nothing)."""
    if signup.user_id:
        return None
    verified = EmailAddress.objects.filter(
        email__iexact=signup.email, verified=True, user__is_active=True
    )
    found = verified.select_related("user").first()
    return found.user if found else None


def move_to_account(signup, user):
    """The account's own signup for the newsletter, in place of the address-only one (never
    confirmed: no email carries a link to it)."""
    own, _ = Signup.objects.get_or_create(newsletter=signup.newsletter, user=user)
    signup.delete()
    return own


# Leaving -----------------------------------------------------------------------------------------


class Scope:
    THIS = "this"
    PUBLICATION = "publication"
    EVERYTHING = "everything"


def address_signups(signup):
    """Every signup of the same recipient as `signup`: of its account, or of its address."""
    if signup.user_id:
        return Signup.objects.filter(user_id=signup.user_id)
    return Signup.objects.filter(user__isnull=True, email=signup.email)


@transaction.atomic
def unsubscribe(signup, scope, now):
    """End `signup` — or all of its recipient's signups of its publication, or everything the
    site sends them. Returns the signups ended."""
    rows = Signup.objects.filter(pk=signup.pk)
    if scope == Scope.PUBLICATION:
        rows = address_signups(signup).filter(
            newsletter__publication=signup.newsletter.publication_id
        )
    elif scope == Scope.EVERYTHING:
        rows = address_signups(signup)
        suppression.suppress(signup.address, suppression.Reason.UNSUBSCRIBED, source="reader")
    ended = list(rows.filter(unsubscribed_at__isnull=True).select_related("newsletter"))
    rows.filter(unsubscribed_at__isnull=True).update(unsubscribed_at=now)
    return ended


def resubscribe(signup, now):
    """Undo an unsubscribe made a moment ago from the same link (the link proves the address)."""
    Signup.objects.filter(pk=signup.pk).update(
        unsubscribed_at=None, confirmed_at=signup.confirmed_at or now
    )
    suppression.lift(signup.address, reasons=[suppression.Reason.UNSUBSCRIBED])

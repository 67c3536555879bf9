"""A reader linking their web account to a print subscription with the account number and
postcode from the mailing label, and access that follows the print record's dates.

An account number and a postcode are little to guess from: a failed attempt says the same
whatever was wrong (no such account, another postcode, a lapsed record), the view limits the
attempts, a record has only so many seats, and the address on the print record is told when an
account is linked to it.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from magazine import site
from magazine.now import start_of_day
from outbox.tasks import send_later, templated_message
from paywall.models import Subscription
from paywall.subscriptions import end_of_day, plan_for_publication
from print_readers import normalise
from print_readers.models import PrintLink, PrintSubscriber

NO_MATCH = (
    "We could not link a current print subscription with that account number and postcode. "
    "Check them against your mailing label, or contact us."
)
UNLINKED = (
    "This print subscription was unlinked from your account by our staff. Contact us if you "
    "think that was a mistake."
)
SEATS_TAKEN = (
    "This print subscription is already linked to {seats} web accounts, as many as it "
    "includes. To move it to this account, contact us and we will unlink one of the others."
)


class LinkRefused(Exception):
    pass


def link(user, publication, account_number, postcode, *, now=None):
    """Link `user` to the current print record the label's details name; returns the link
    (the one they have if already linked). Raises `LinkRefused` with what to tell them."""
    now = now or timezone.now()
    with transaction.atomic():
        record = (
            PrintSubscriber.objects.select_for_update()
            .filter(
                publication=publication, account_number=normalise.account_number(account_number)
            )
            .first()
        )
        today = timezone.localdate(now)
        if (
            record is None
            or record.postcode != normalise.postcode(postcode)
            or not record.is_current(today)
        ):
            raise LinkRefused(NO_MATCH)
        links = record.links.filter(ended_at__isnull=True)
        mine = links.filter(user=user).first()
        if mine is not None:
            return mine
        if record.links.filter(user=user, ended_at__isnull=False, ended_by_staff=True).exists():
            raise LinkRefused(UNLINKED)
        if links.count() >= settings.PRINT_HOUSEHOLD_SEATS:
            raise LinkRefused(SEATS_TAKEN.format(seats=settings.PRINT_HOUSEHOLD_SEATS))
        subscription = Subscription.objects.create(
            user=user,
            plan=plan_for_publication(publication),
            starts_at=start_of_day(record.starts),
            ends_at=end_of_day(record.expires),
            source=Subscription.Source.PRINT,
            note=f"Print account {record.account_number}",
        )
        created = PrintLink.objects.create(
            record=record, user=user, subscription=subscription, created_at=now
        )
    tell_the_label(record, user)
    return created


def follow(subscription, record, now):
    """Give a linked account's access the print record's dates: a renewal extends it, a record
    lapsed or cancelled ends it at once (and a record renewed after lapsing opens it again)."""
    subscription.starts_at = min(subscription.starts_at, start_of_day(record.starts))
    subscription.ends_at = end_of_day(record.expires)
    current = record.is_current(timezone.localdate(now))
    subscription.cancelled_at = None if current else (subscription.cancelled_at or now)
    subscription.save(update_fields=["starts_at", "ends_at", "cancelled_at", "updated_at"])


def unlink(link, now):
    """Staff end a link they judge wrong: its access ends at once — back issues included: the
    subscription is void from its start — its seat is free again, and the account cannot link
    that record again by itself."""
    end(link, now, by_staff=True)


def leave(link, now):
    """The reader ends their own link, to free its seat for someone else in the household. They
    keep what they read while linked — the issues out in that time — and nothing from before
    (else one label, linked and unlinked in turn, would give every account the record's whole
    term); they may link again later if a seat is free."""
    end(link, now, by_staff=False)


def end(link, now, *, by_staff):
    """End `link` (once: a second call, from a stale page or a second click, changes nothing),
    under the print record's lock, which imports and links take too."""
    with transaction.atomic():
        PrintSubscriber.objects.select_for_update().filter(pk=link.record_id).first()
        link = PrintLink.objects.select_related("subscription").get(pk=link.pk)
        if link.ended_at is not None:
            return
        link.ended_at, link.ended_by_staff = now, by_staff
        link.save(update_fields=["ended_at", "ended_by_staff"])
        subscription = link.subscription
        if by_staff:  # void from its start
            subscription.cancelled_at = min(now, subscription.starts_at)
        else:  # the time linked, never longer than the record allowed
            linked_from = max(subscription.starts_at, link.created_at)
            ended = min(now, subscription.cancelled_at or now)
            if linked_from < subscription.ends_at:
                subscription.starts_at, subscription.cancelled_at = linked_from, ended
            else:  # the record's term ended before they linked: nothing was theirs
                subscription.cancelled_at = subscription.starts_at
        subscription.save(update_fields=["starts_at", "cancelled_at", "updated_at"])


def tell_the_label(record, user):
    """The address on the print record learns that a web account was linked to it, unless it
    is the account's own."""
    if not record.email:
        return
    own = EmailAddress.objects.filter(user=user, email__iexact=record.email, verified=True)
    if own.exists():  # the label's own address, proven: nothing to tell
        return
    context = {
        "record": record,
        "publication": record.publication,
        "site_name": settings.SITE_NAME,
        "contact_url": site.absolute_url("/"),
    }
    send_later(
        templated_message(
            "print_readers/email/linked",
            context,
            subject=f"A web account was linked to your {record.publication.name} subscription",
            to=[record.email],
        )
    )

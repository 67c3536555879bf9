"""The suppression list: addresses email must not go to, because mail to them bounced, their
owner complained of spam or unsubscribed from everything, or staff said so.

An address is kept only as a keyed hash (and a masked hint for staff), so a suppression outlives
the account it came from without keeping personal data: the address is recognised when it turns
up again, and cannot be read back. The key is EMAIL_SUPPRESSION_KEY, or else SECRET_KEY with
each of SECRET_KEY_FALLBACKS still recognised, so rotating SECRET_KEY as Django documents does
not forget the list meanwhile.
"""

from collections import defaultdict
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import punycode

from outbox.models import STOPPING_EVERYTHING, Reason, SoftBounce, Suppression

SOFT_BOUNCES_TO_SUPPRESS = 3
SOFT_BOUNCE_WINDOW = timedelta(days=30)
# A provider retrying one message reports each failed attempt, within hours: one soft bounce a
# day is counted, so a single bad afternoon at the reader's mail server is not three strikes.
SOFT_BOUNCE_SPACING = timedelta(days=1)


def normalised(address):
    """`address` as the list compares it: without surrounding spaces, in lower case, with an
    international domain in its ASCII (IDNA) form. The local part is lower-cased too: strictly
    it may be case-sensitive, but no mail provider treats it so, and a reader who bounced as
    Jane@ must not be written to as jane@. Dots and +tags are kept: some providers ignore them,
    others do not."""
    if "<" in address:  # as written in a header: "Jane Doe <jane@example.com>"
        address = parseaddr(address)[1] or address
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local}@{ascii_domain(domain)}" if local else domain


def ascii_domain(domain):
    try:
        return punycode(domain)
    except UnicodeError:  # not a name IDNA can spell (an empty label, one too long): as written
        return domain


def address_hash(address, *, key=None):
    """The HMAC-SHA256 of the normalised `address`, in hex, under `key` (the current one unless
    given)."""
    secret = key if key is not None else current_key()
    return salted_hmac(
        "outbox.suppression", normalised(address), secret=secret, algorithm="sha256"
    ).hexdigest()


def current_key():
    return settings.EMAIL_SUPPRESSION_KEY or settings.SECRET_KEY


def keys():
    """The key new rows are hashed with, then those older rows may still be hashed with: the
    secret keys too when `EMAIL_SUPPRESSION_KEY` is set, so that setting it after launch
    forgets no one who bounced or complained."""
    ordered = [settings.EMAIL_SUPPRESSION_KEY, settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return list(dict.fromkeys(key for key in ordered if key))


def hashes(address):
    return [address_hash(address, key=key) for key in keys()]


def hint(address):
    """A masked `address` for staff to tell rows apart by: j•••@example.com."""
    local, _, domain = normalised(address).rpartition("@")
    return f"{local[:1]}•••@{domain}"[:100]


@transaction.atomic
def suppress(address, reason, *, source, note=""):
    """Put `address` on the list for `reason`; returns its row. An address already there keeps
    its first reason, unless that one still let through mail the reader asked for (they had
    unsubscribed) and the new one stops everything (their mail now bounces)."""
    existing = Suppression.objects.select_for_update().of(hashes(address)).first()
    if existing is None:
        suppression, _ = Suppression.objects.get_or_create(
            address_hash=address_hash(address),
            defaults={
                "hint": hint(address),
                "reason": reason,
                "source": source[:100],
                "note": note,
            },
        )
        return suppression
    if existing.reason not in STOPPING_EVERYTHING and reason in STOPPING_EVERYTHING:
        existing.reason, existing.source, existing.note = reason, source[:100], note
        existing.save(update_fields=["reason", "source", "note"])
    return existing


def lift(address, *, reasons=None):
    """Take `address` off the list (only where it is there for one of `reasons`, when given);
    returns how many rows went."""
    rows = Suppression.objects.of(hashes(address))
    if reasons is not None:
        rows = rows.filter(reason__in=reasons)
    deleted, _ = rows.delete()
    return deleted


def suppressed(addresses, *, transactional=False):
    """Those of `addresses` (as given) that mail must not go to, in one query however many.
    With `transactional`, for mail the reader asked for themselves (a password reset, a
    receipt): an address whose owner only unsubscribed from everything still gets it."""
    given = defaultdict(set)
    for address in addresses:
        for digest in hashes(address):
            given[digest].add(address)
    if not given:
        return set()
    found = (
        Suppression.objects.stopping(transactional=transactional)
        .of(given)
        .values_list("address_hash", flat=True)
    )
    return {address for digest in found for address in given[digest]}


def is_suppressed(address, *, transactional=False):
    return bool(suppressed([address], transactional=transactional))


@transaction.atomic
def record_soft_bounce(address, *, source, now=None):
    """Count a temporary failure to deliver to `address`; the third in SOFT_BOUNCE_WINDOW
    suppresses it. Returns whether it was counted."""
    now = now or timezone.now()
    known = SoftBounce.objects.filter(address_hash__in=hashes(address))
    if known.filter(at__gt=now - SOFT_BOUNCE_SPACING, at__lte=now).exists():
        return False
    SoftBounce.objects.create(address_hash=address_hash(address), at=now)
    recent = known.filter(at__gt=now - SOFT_BOUNCE_WINDOW, at__lte=now).count()
    if recent >= SOFT_BOUNCES_TO_SUPPRESS:
        suppress(address, Reason.SOFT_BOUNCES, source=source)
        known.delete()
    return True

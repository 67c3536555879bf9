"""Sending: which sends are due, who each is owed to, and handing each message to the mail
server exactly once.

All of it is rules on time, run by the newsletter clock (`newsletters.clock`) in the task
worker: an article is due once it is published — by the admin's "Publish now", its change form,
or its scheduled time passing — and a digest once its hour has come. Starting a send writes one
`Delivery` per recipient in the same transaction as the `Send`; delivering walks those rows, so
a worker stopped half way resumes where it stopped, with nobody mailed twice.
"""

import logging
import smtplib
import time as clock
from datetime import datetime, time, timedelta

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, connections, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from magazine.models import Article
from newsletters.emails import Rendering
from newsletters.models import DIGESTS, PERIOD, Cadence, Delivery, Newsletter, Pause, Send, Signup
from outbox.suppression import normalised, suppressed
from paywall.access import ANONYMOUS
from paywall.models import Subscription
from paywall.readers import readers_for_users

log = logging.getLogger(__name__)

BATCH = 200
State = Delivery.State


def run(now, *, deadline=None):
    """One turn of the clock: start what is due at `now`, then deliver until `deadline` (a
    `clock.monotonic()` value; None: until done). Returns whether messages are left to send."""
    start_due_article_sends(now)
    start_due_digests(now)
    return deliver(now, deadline=deadline)


# Starting sends ----------------------------------------------------------------------------------


def start_due_article_sends(now):
    """A send for each newsletter of each new article for each article published recently.

    "Recently" is `NEWSLETTER_SEND_WITHIN_DAYS`, and never before the newsletter existed: an
    article backdated by an editor, or published before the newsletter began, is not news.
    """
    since = now - timedelta(days=settings.NEWSLETTER_SEND_WITHIN_DAYS)
    newsletters = Newsletter.objects.filter(cadence=Cadence.EACH_ARTICLE)
    for newsletter in newsletters.select_related("publication"):
        due = (
            Article.objects.published(now)
            .filter(
                publication_id=newsletter.publication_id,
                send_by_email=True,
                publish_at__gte=max(since, newsletter.created_at),
            )
            .exclude(newsletter_sends__newsletter=newsletter)
            .order_by("publish_at", "pk")
        )
        for article in due:
            start_send(newsletter, Cadence.EACH_ARTICLE, now, article=article)


def digest_due_at(cadence, now):
    """The latest moment at or before `now` when a digest of `cadence` was due: each day, or
    each `NEWSLETTER_WEEKLY_DAY`, at `NEWSLETTER_DIGEST_HOUR` in the site's time zone."""
    day = timezone.localtime(now).date()
    if cadence == Cadence.WEEKLY:
        day -= timedelta(days=(day.weekday() - settings.NEWSLETTER_WEEKLY_DAY) % 7)
    hour = time(settings.NEWSLETTER_DIGEST_HOUR)
    moment = timezone.make_aware(datetime.combine(day, hour))
    if moment > now:
        moment = timezone.make_aware(datetime.combine(day - PERIOD[cadence], hour))
    return moment


def start_due_digests(now):
    """The digest each newsletter owes the readers who take it daily or weekly, once its hour
    has come (the last one only: after a long outage, readers get one digest, not a pile)."""
    for newsletter in Newsletter.objects.select_related("publication"):
        for cadence in DIGESTS:
            due_at = digest_due_at(cadence, now)
            if cadence not in newsletter.cadences or due_at < newsletter.created_at:
                continue
            sends = Send.objects.filter(newsletter=newsletter, cadence=cadence)
            if sends.filter(period_end=due_at).exists():
                continue
            add_default_signups(newsletter, now)
            if newsletter.signups.receiving().with_cadence(cadence).exists():
                start_send(newsletter, cadence, now, period_end=due_at)


def period_start(newsletter, cadence, period_end):
    """Where a digest's period begins: where the last one ended, so that a digest missed in an
    outage leaves no article out — but never more than two periods back."""
    earliest = period_end - 2 * PERIOD[cadence]
    last = (
        Send.objects.filter(newsletter=newsletter, cadence=cadence, period_end__lt=period_end)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    return max(last, earliest) if last else period_end - PERIOD[cadence]


def start_send(newsletter, cadence, now, *, article=None, period_end=None):
    """Write the send and a delivery for each of its recipients, all or nothing. Returns the
    send, or None when it already existed (another clock got there first)."""
    try:
        with transaction.atomic():
            send = Send.objects.create(
                newsletter=newsletter,
                article=article,
                cadence=cadence,
                period_start=period_start(newsletter, cadence, period_end) if period_end else None,
                period_end=period_end,
                subject=article.title if article else "",
            )
            if send.is_digest and not fill_digest(send):
                send.finished_at = now
                send.save(update_fields=["finished_at"])
                return send
            add_default_signups(newsletter, now)
            Delivery.objects.bulk_create(
                (
                    Delivery(send=send, signup_id=pk, updated_at=now)
                    for pk in one_per_address(newsletter.signups.receiving().with_cadence(cadence))
                ),
                batch_size=1000,
            )
    except IntegrityError:
        return None
    log.info("Newsletter %s: started %s", newsletter.slug, send.subject)
    return send


def one_per_address(signups):
    """The ids of `signups`, one per mailbox: an address signed up alone and again as an
    account's is mailed once, as the account (whose reader may be owed the whole article)."""
    chosen = {}
    rows = signups.values_list("pk", "user_id", "email", "user__email").order_by("pk")
    for pk, user_id, email, user_email in rows:
        address = normalised(user_email if user_id else email)
        if address not in chosen or (user_id and not chosen[address][1]):
            chosen[address] = (pk, user_id)
    return sorted(pk for pk, _ in chosen.values())


def fill_digest(send):
    """Put the period's articles in a digest and title it; False if there were none."""
    articles = Article.objects.published(send.period_end).filter(
        publication_id=send.newsletter.publication_id,
        send_by_email=True,
        publish_at__gte=send.period_start,
        publish_at__lt=send.period_end,
    )
    ids = list(articles.values_list("pk", flat=True))
    if not ids:
        return False
    send.articles.set(ids)
    day = timezone.localtime(send.period_end).date() - timedelta(days=1)
    span = "this week" if send.cadence == Cadence.WEEKLY else f"{day:%A %-d %B}"
    count = f"{len(ids)} new article{'s' if len(ids) != 1 else ''}"
    send.subject = f"{send.newsletter.name}: {count} {span}"
    send.save(update_fields=["subject"])
    return True


def add_default_signups(newsletter, now):
    """A newsletter that is on by default reaches every current subscriber of its publication
    who has not said otherwise: their signups are written down as the send starts (a reader
    who unsubscribed has a row saying so, and is left alone)."""
    if not newsletter.on_by_default:
        return
    subscribers = (
        Subscription.objects.active(now)
        .filter(plan__publications=newsletter.publication_id)
        .exclude(user__newsletter_signups__newsletter=newsletter)
        .values_list("user_id", flat=True)
        .distinct()
    )
    Signup.objects.bulk_create(
        [
            Signup(newsletter=newsletter, user_id=user_id, confirmed_at=now)
            for user_id in subscribers
        ],
        ignore_conflicts=True,
    )


# Delivering --------------------------------------------------------------------------------------


class Retry(Exception):
    """The mail server is away or refuses us for now: stop, and try again at the next tick."""


def deliver(now, *, deadline=None):
    """Send queued deliveries, a batch at a time, until none are left or `deadline` passes
    (at least one batch, however short the time). Returns whether to go on at once: not when
    all is sent, nor when the mail server asked us to come back later."""
    renderings, deferred, pace = {}, set(), Pace(settings.NEWSLETTER_RATE_PER_SECOND)
    while True:
        batch = list(
            owed()
            .exclude(pk__in=deferred)
            .select_related("signup__user", "send__newsletter__publication", "send__article")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            finish_sends(now)
            return False
        try:
            deliver_batch(batch, renderings, deferred, pace, now, deadline)
        except Retry as error:
            log.warning("Newsletter delivery waits for the next tick: %s", error)
            return False
        if past(deadline):
            return owed().exclude(pk__in=deferred).exists()


def past(deadline):
    return deadline is not None and clock.monotonic() >= deadline


def owed():
    """Deliveries still to be sent, of sends that staff have not paused or cancelled."""
    return Delivery.objects.filter(
        state=State.QUEUED, send__paused_at__isnull=True, send__cancelled_at__isnull=True
    )


def deliver_batch(batch, renderings, deferred, pace, now, deadline):
    """Send `batch`, stopping early when `deadline` has passed (after one message at least:
    a tick's time is checked per message, so a slow server cannot keep it past its lease)."""
    users = [d.signup.user for d in batch if d.signup.user_id]
    readers = readers_for_users(users)
    addresses = {d.pk: d.signup.address for d in batch}
    blocked = suppressed(addresses.values())
    paused = set(
        Pause.objects.filter(user__in=users, until__gt=now).values_list("user_id", flat=True)
    )
    connection = open_connection()
    try:
        for position, delivery in enumerate(batch):
            if position and past(deadline):
                return
            skip = why_not(delivery, addresses[delivery.pk], blocked, paused, now)
            if skip:
                mark(delivery, State.SKIPPED, skip, from_state=State.QUEUED)
                continue
            send = delivery.send
            if send.pk not in renderings:
                renderings[send.pk] = Rendering(send, now=now)
            reader = readers.get(delivery.signup.user_id, ANONYMOUS)
            message = renderings[send.pk].message(delivery.signup, addresses[delivery.pk], reader)
            pace.wait()
            if not mark(delivery, State.SENDING, from_state=State.QUEUED):
                continue  # cancelled meanwhile, or another worker has it
            if not hand_over(connection, message, delivery, now):
                deferred.add(delivery.pk)
    finally:
        connection.close()


class Pace:
    """At most `rate` messages a second, evenly spaced (0: as fast as the server takes them) —
    the limit a mail provider sets, or a publisher's own server can bear. One tick sends at a
    time (`newsletters.clock`), so one pace per tick is the pace of the site."""

    def __init__(self, rate):
        self.gap = 1 / rate if rate else 0
        self.next_at = clock.monotonic()

    def wait(self):
        if not self.gap:
            return
        now = clock.monotonic()
        if self.next_at > now:
            clock.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now) + self.gap


def open_connection():
    """One connection to the mail server for a whole batch. (Given a connection that is not
    open, Django's SMTP backend opens, greets and closes one for each message: more round trips
    than the message itself.)"""
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        raise Retry(str(error) or type(error).__name__) from error
    return connection


SUPPRESSED = "address suppressed"  # a bounce, a complaint, or "no email at all"


def why_not(delivery, address, blocked, paused, now):
    """Why this delivery is not to be sent after all (empty: it is)."""
    signup, send = delivery.signup, delivery.send
    if not send.is_digest and not (send.article and send.article.is_published(now)):
        return "article withdrawn"
    if not signup.receiving:
        return "unsubscribed"
    if signup.user_id and not signup.user.is_active:
        return "account closed"
    if not address:
        return "no address"
    if address in blocked:
        return SUPPRESSED
    if signup.user_id in paused:
        return "email paused"
    return ""


# What a failure means for the message it cut short.
LOST = "the connection was lost as it was handed over: not sent again, in case it arrived"
# How long a recipient the server keeps telling to try later is tried.
GIVE_UP_AFTER = timedelta(days=1)


def hand_over(connection, message, delivery, now):
    """Give `message` to the mail server and record the outcome. Returns False when the server
    asked to try this recipient later; raises `Retry` when the server itself failed.

    Only a refusal the server stated is certain: a permanent one (5xx) fails the delivery, a
    temporary one (4xx) queues it again. A connection lost or timed out may have cut the
    message off before or after the server took it: it stays `sending`, never tried again."""
    try:
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as error:
        code = min(code for code, _ in error.recipients.values())
        return refused(delivery, code, now)
    except smtplib.SMTPSenderRefused as error:
        requeue(delivery)  # our own address, not this reader's: no one can go
        raise Retry(f"the mail server refused the sender ({error.smtp_code})") from error
    except smtplib.SMTPResponseException as error:
        return refused(delivery, error.smtp_code, now)
    except AnymailRecipientsRefused:
        mark(delivery, State.FAILED, "refused by the mail provider")
    except AnymailAPIError as error:
        provider_failed(delivery, error)
    except (smtplib.SMTPException, OSError) as error:
        mark(delivery, State.SENDING, LOST)
        raise Retry(str(error) or type(error).__name__) from error
    else:
        mark(delivery, State.SENT)
    return True


def refused(delivery, code, now):
    """Record a refusal with SMTP reply `code`. For good (5xx): failed. For now (4xx): queued
    for the next tick, until `GIVE_UP_AFTER` — but 421 means the server is closing the
    connection: every recipient waits. Returns False when this one is to be tried later."""
    if code == 421:
        requeue(delivery)
        raise Retry("the mail server is closing the connection (421)")
    if code >= 500:
        mark(delivery, State.FAILED, f"refused by the mail server ({code})")
        return True
    if now - delivery.send.created_at > GIVE_UP_AFTER:
        mark(delivery, State.FAILED, f"still refused for now after a day ({code})")
        return True
    requeue(delivery, f"the mail server said to try later ({code})")
    return False


def provider_failed(delivery, error):
    """An email provider's API refused or failed: too many requests waits for the next tick;
    another 4xx is a message it will never take; a 5xx or no answer may have taken it."""
    status = error.status_code
    if status == 429:
        requeue(delivery)
    elif status and status < 500:
        mark(delivery, State.FAILED, f"refused by the mail provider ({status})")
        return
    else:
        mark(delivery, State.SENDING, LOST)
    raise Retry(str(error)) from error


def requeue(delivery, detail=""):
    """Back to `queued` — only from `sending`: a send cancelled meanwhile stays cancelled."""
    mark(delivery, State.QUEUED, detail, from_state=State.SENDING)


# A condition that always holds and that, as it is evaluated, lets the commit of the statement
# it is part of reach the disk a moment later (PostgreSQL's asynchronous commit, for that one
# transaction): no transaction block, no round trip of its own.
WITHOUT_WAITING_FOR_DISK = RawSQL(
    "set_config('synchronous_commit', 'off', true) = 'off'", [], output_field=BooleanField()
)


def mark(delivery, state, detail="", *, from_state=None):
    """Record `state` for `delivery` (only if it is still in `from_state`, when given);
    returns whether it was recorded. Written at once, outside any transaction: the record of
    a message handed over must survive whatever happens to the worker next.

    Only `sending` waits for the disk, which costs more than all the rest of a message: written
    before the message leaves, it is what keeps it from leaving twice. Every process sees the
    other marks at once, and they reach the disk within a fraction of a second (or with the
    next `sending`); were the database itself to crash first, a sent message would be found
    `sending` (never tried again) and a skipped one `queued` (judged again): nobody is mailed
    twice."""
    rows = Delivery.objects.filter(pk=delivery.pk)
    if from_state:
        rows = rows.filter(state=from_state)
    if state != State.SENDING and connections[rows.db].vendor == "postgresql":
        rows = rows.filter(WITHOUT_WAITING_FOR_DISK)
    return bool(rows.update(state=state, detail=detail, updated_at=timezone.now()))


def finish_sends(now):
    """Mark the sends with nothing left to deliver as finished."""
    waiting = Delivery.objects.filter(state=State.QUEUED).values("send_id")
    Send.objects.filter(finished_at__isnull=True).exclude(pk__in=waiting).update(finished_at=now)


# Staff's hands on a send -------------------------------------------------------------------------


def pause(sends, now):
    """Hold `sends` (a queryset): nothing more of them goes until resumed — at once for all
    but the batch a worker may have in hand. Returns how many were paused."""
    return sends.filter(finished_at__isnull=True, paused_at__isnull=True).update(paused_at=now)


def resume(sends):
    """Let paused `sends` go on from where they stopped. Returns how many."""
    return sends.filter(finished_at__isnull=True, paused_at__isnull=False).update(paused_at=None)


def cancel(sends, now):
    """End `sends` for good: whoever was still waiting is not sent them (a message a worker
    has in hand may still go). Returns how many were cancelled."""
    with transaction.atomic():
        ids = list(sends.filter(finished_at__isnull=True).values_list("pk", flat=True))
        Delivery.objects.filter(send_id__in=ids, state=State.QUEUED).update(
            state=State.SKIPPED, detail="send cancelled by staff", updated_at=now
        )
        Send.objects.filter(pk__in=ids).update(cancelled_at=now, paused_at=None, finished_at=now)
    return len(ids)

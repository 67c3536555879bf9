"""The newsletter row of `make bench`: how many emails a second one worker hands to the mail
server.

Gives the benchmark database a publication of its own, with a newsletter of each new article
and `--newsletter-recipients` confirmed readers on it, mixed so that the paywall's rule is asked
about each: subscribers (who get the article whole), lapsed subscribers, accounts that never
subscribed and addresses without an account (who get its teaser). Starts one `manage.py worker`
as deployed (default settings, but no rate limit: that is a cap, not a speed) against a local
SMTP server that counts what it receives and keeps nothing, lets the worker catch up on
whatever the database already owed, then publishes a subscribers-only article and times it
from publication to the last delivery marked `sent`.
Removes everything it made afterwards.

The functions under "Inside the site" run in the site's own process (`manage.py shell`).
"""

import json
import multiprocessing
import subprocess
import sys
import time
from dataclasses import dataclass

SLUG = "bench-newsletter"
# Shares of the recipients by kind; the rest are addresses without an account.
MIX = {"subscribers": 0.40, "lapsed": 0.15, "accounts": 0.20}
KINDS = {
    "subscribers": "subscribers",
    "lapsed": "lapsed subscribers",
    "accounts": "accounts that never subscribed",
    "addresses": "addresses without an account",
}


@dataclass
class NewsletterRun:
    recipients: int
    mix: dict
    sent: int
    received: int
    waited: float  # publication → the send started
    seconds: float  # publication → the last message sent
    caught_up: int  # messages the database owed before the article was published

    @property
    def per_second(self):
        return self.sent / self.seconds

    @property
    def delivery_per_second(self):
        return self.sent / (self.seconds - self.waited)


def measure(root, env, smtp_port, *, recipients):
    """Time a send to `recipients` readers, end to end, with one worker."""
    mix = shell(root, env, f"from bench.newsletter_send import create; create({recipients})")
    received = multiprocessing.Value("i", 0)
    sink = multiprocessing.Process(target=serve_sink, args=(smtp_port, received), daemon=True)
    sink.start()
    worker_env = {
        **env,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "NEWSLETTER_RATE_PER_SECOND": "0",  # the sink has no limit to respect: measure the rest
    }
    worker = subprocess.Popen([sys.executable, "manage.py", "worker"], cwd=root, env=worker_env)
    try:
        with connect(env) as db:
            caught_up = settle(db, received, started=time.time())
            shell(root, env, "from bench.newsletter_send import publish; publish()")
            wait_for_send(db, timeout=max(300, recipients / 20))
            timings, sent = send_timings(db)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        sink.terminate()
        shell(root, env, "from bench.newsletter_send import remove; remove()")
    return NewsletterRun(
        recipients=recipients,
        mix=json.loads(mix),
        sent=sent,
        received=received.value - caught_up,
        waited=timings[0],
        seconds=timings[1],
        caught_up=caught_up,
    )


def shell(root, env, code):
    """Run `code` in the site (`manage.py shell`); returns the last line it printed."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=root, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def connect(env):
    import psycopg

    return psycopg.connect(env["DATABASE_URL"], autocommit=True)


# The mail server ---------------------------------------------------------------------------------


async def sink_session(reader, writer, received):
    """Just enough SMTP for a client to hand over its messages: each is read whole (aiosmtpd
    reads a message a line at a time, which costs ~2 ms of CPU per 10 KB message and would
    have made the sink the bottleneck), counted, and dropped."""
    writer.write(b"220 sink\r\n")
    while line := await reader.readline():
        verb = line[:4].upper()
        if verb == b"DATA":
            writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            await reader.readuntil(b"\r\n.\r\n")
            with received.get_lock():
                received.value += 1
        elif verb == b"QUIT":
            writer.write(b"221 Bye\r\n")
            break
        writer.write(b"250-sink\r\n250 8BITMIME\r\n" if verb == b"EHLO" else b"250 OK\r\n")
    writer.close()


def serve_sink(port, received):
    """The sink, in a process of its own so that it never competes with the bench for a lock."""
    import asyncio

    async def serve():
        server = await asyncio.start_server(
            lambda reader, writer: sink_session(reader, writer, received),
            "127.0.0.1",
            port,
            limit=2**24,  # the longest message
        )
        await server.serve_forever()

    asyncio.run(serve())


# Watching the database ---------------------------------------------------------------------------

OWED = """
    SELECT
        (SELECT count(*) FROM newsletters_delivery WHERE state = 'queued'),
        (SELECT count(*) FROM django_tasks_database_dbtaskresult
            WHERE status = 'READY' AND queue_name = 'default'
            AND (run_after <= now() OR run_after >= '9999-01-01')),
        (SELECT count(*) FROM newsletters_schedule
            WHERE lease_until IS NULL AND next_tick_at > %s)
"""


def settle(db, received, *, started, timeout=600):
    """Wait until the worker has run its first tick and owes nothing: no delivery queued, no
    task due. Returns the messages that took."""
    from datetime import UTC, datetime, timedelta

    after_first_tick = datetime.fromtimestamp(started, UTC) + timedelta(seconds=1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queued, due, ticked = db.execute(OWED, [after_first_tick]).fetchone()
        if not queued and not due and ticked:
            return received.value
        time.sleep(0.5)
    raise SystemExit("bench: the worker did not catch up with what the database owed")


def wait_for_send(db, *, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished = db.execute(
            "SELECT finished_at FROM newsletters_send AS send"
            " JOIN newsletters_newsletter AS newsletter ON newsletter.id = send.newsletter_id"
            " WHERE newsletter.slug = %s",
            [SLUG],
        ).fetchone()
        if finished and finished[0]:
            return
        time.sleep(0.5)
    raise SystemExit(f"bench: the newsletter send did not finish in {timeout:.0f} s")


def send_timings(db):
    """((publication → send started, publication → last sent) in seconds, messages sent)."""
    published, started, last_sent, sent = db.execute(
        "SELECT article.publish_at, send.created_at, max(delivery.updated_at), count(*)"
        " FROM newsletters_delivery AS delivery"
        " JOIN newsletters_send AS send ON send.id = delivery.send_id"
        " JOIN newsletters_newsletter AS newsletter ON newsletter.id = send.newsletter_id"
        " JOIN magazine_article AS article ON article.id = send.article_id"
        " WHERE newsletter.slug = %s AND delivery.state = 'sent'"
        " GROUP BY article.publish_at, send.created_at",
        [SLUG],
    ).fetchone()
    return ((started - published).total_seconds(), (last_sent - published).total_seconds()), sent


# Inside the site ---------------------------------------------------------------------------------

BODY = "\n\n".join(
    [f"Paragraph {n} of the article, about fences, frost and the price of hay. " * 6
     for n in range(1, 4)]
    + ["<!-- more -->"]
    + [f"Paragraph {n}, for subscribers: the hedgehog, the plank and the orchard. " * 6
       for n in range(4, 13)]
)  # fmt: skip


def create(recipients):
    """The publication, its newsletter and `recipients` confirmed readers on it; prints how
    many of each kind."""
    from datetime import timedelta

    from django.utils import timezone

    from magazine.models import Publication, Section
    from newsletters.models import Newsletter

    remove()  # whatever an interrupted run left
    now = timezone.now()
    publication = Publication.objects.create(
        name="The Bench Gazette", slug=SLUG, paywall_pitch="Subscribe to read on."
    )
    Section.objects.create(publication=publication, name="News", slug="news")
    newsletter = Newsletter.objects.create(
        publication=publication,
        name="The Bench Gazette — new articles",
        slug=SLUG,
        sender_name="The Bench Gazette",
        created_at=now - timedelta(minutes=1),
    )
    counts = {kind: int(recipients * share) for kind, share in MIX.items()}
    counts["addresses"] = recipients - sum(counts.values())
    add_readers(newsletter, counts, now=now)
    print(json.dumps(counts))


def add_readers(newsletter, counts, *, now):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from newsletters.models import Signup
    from paywall.models import Subscription
    from paywall.subscriptions import plan_for_publication

    accounts = counts["subscribers"] + counts["lapsed"] + counts["accounts"]
    password = make_password(None)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(email=f"{SLUG}-{n}@example.com", password=password)
         for n in range(accounts)],
        batch_size=2000,
    )  # fmt: skip
    plan = plan_for_publication(newsletter.publication)
    subscribers = users[: counts["subscribers"]]
    former = users[counts["subscribers"] : counts["subscribers"] + counts["lapsed"]]
    windows = [
        (subscribers, now - timedelta(days=30), now + timedelta(days=335)),
        (former, now - timedelta(days=400), now - timedelta(days=35)),  # past the grace period
    ]
    Subscription.objects.bulk_create(
        [
            Subscription(user=user, plan=plan, starts_at=starts_at, ends_at=ends_at)
            for group, starts_at, ends_at in windows
            for user in group
        ],
        batch_size=2000,
    )
    Signup.objects.bulk_create(
        [Signup(newsletter=newsletter, user=user, confirmed_at=now) for user in users]
        + [Signup(newsletter=newsletter, email=f"{SLUG}-address-{n}@example.com",
                  confirmed_at=now) for n in range(counts["addresses"])],
        batch_size=2000,
    )  # fmt: skip


def publish():
    """A subscribers-only article, published now, as "Publish now" in the admin does."""
    from django.utils import timezone

    from magazine.models import Article, Section

    section = Section.objects.get(publication__slug=SLUG)
    Article.objects.create(
        publication=section.publication,
        section=section,
        title="What the frost told the orchard",
        slug="what-the-frost-told-the-orchard",
        dek="A long winter, and what it means for the apples.",
        body=BODY,
        access=Article.Access.SUBSCRIBERS,
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now(),
        send_by_email=True,
    )


def remove():
    """Everything `create` and `publish` made, the article's history included."""
    from django.contrib.auth import get_user_model

    from magazine.models import Article, Publication
    from paywall.models import Plan

    articles = Article.objects.filter(publication__slug=SLUG)
    ids = list(articles.values_list("pk", flat=True))
    articles.delete()
    Article.history.filter(id__in=ids).delete()
    get_user_model().objects.filter(email__startswith=f"{SLUG}-").delete()
    Plan.objects.filter(slug=SLUG).delete()
    Publication.objects.filter(slug=SLUG).delete()

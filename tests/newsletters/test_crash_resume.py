"""A worker killed in the middle of a newsletter send, and started again, finishes the send with
nobody mailed twice.

Real processes, as in production: `manage.py worker` on a database file of the test's own,
handing messages to a real SMTP server, killed with SIGKILL — no chance to tidy up — then
started again. The kill comes at the worst moment: the mail server has a message in hand and
has not yet answered for it. Marked `sending` and never `sent`, that message must not go again
(its reader would have it twice); every other reader must get theirs exactly once.
"""

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing

import pytest
from aiosmtpd.controller import Controller

from tests.servers import ROOT, free_port, manage
from tests.smtp import Inbox

RECIPIENTS = 40
KILL_AFTER = 10  # the message in hand when the worker is killed

# The newsletter exists before the article is published: an article older than its newsletter
# is not news, and is not sent.
SETUP = f"""
from datetime import timedelta
from django.utils import timezone
from newsletters.models import Newsletter, Signup
from tests.factories import make_article, make_section

now = timezone.now()
section = make_section()
newsletter = Newsletter.objects.create(
    publication=section.publication, name="The Dispatch", slug="dispatch",
    sender_name="The Dispatch", cadence="article", created_at=now - timedelta(minutes=1),
)
Signup.objects.bulk_create(
    Signup(newsletter=newsletter, email=f"reader{{n}}@example.com", confirmed_at=now)
    for n in range({RECIPIENTS})
)
make_article(section=section, send_by_email=True, publish_at=timezone.now())
"""


class SlowInbox(Inbox):
    """A mail server that takes a moment over each message, so that the worker cannot race
    through the send, and that has the `hold_at`-th message in hand without answering for it
    until the worker is killed: the message has arrived, the worker never learns so."""

    def __init__(self, hold_at):
        super().__init__()
        self.hold_at = hold_at

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        if len(self.envelopes) == self.hold_at:
            await asyncio.sleep(60)  # cancelled when the worker's connection drops
        await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox():
    inbox = SlowInbox(hold_at=KILL_AFTER)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def site(tmp_path, inbox):
    """The environment of the site's processes, on a migrated database file holding one
    newsletter, its signups and a newly published article."""
    database = tmp_path / "site.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "magazine.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "TASK_BACKEND": "database",
        "DEBUG": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(inbox.port),
        "EMAIL_TIMEOUT": "2",
        "NEWSLETTER_TICK_SECONDS": "1",
        "NEWSLETTER_SEND_SECONDS": "1",
        "SITE_URL": "http://testserver",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "ERROR",
    }
    for command in (["migrate", "--noinput", "-v0"], ["shell", "-c", SETUP]):
        try:
            manage(env, *command)
        except subprocess.CalledProcessError as error:
            pytest.fail(f"manage.py {command[0]} failed:\n{error.stderr}")
    return env, database


@pytest.fixture
def workers(tmp_path):
    """Starts `manage.py worker` processes (each in a process group of its own, with the
    reloader's child) and kills whichever are left at the end."""
    started = []

    def start(env):
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115
        command = [sys.executable, "manage.py", "worker", "--interval", "0.2",
                   "--no-startup-delay"]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        kill(process)
        log.close()


def kill(process):
    """SIGKILL the worker and its children: no signal handler runs, no `finally`."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def deliveries(database):
    """{address: state} of every delivery, read straight from the database file."""
    with closing(sqlite3.connect(database, timeout=10)) as db:
        rows = db.execute(
            "SELECT signup.email, delivery.state FROM newsletters_delivery AS delivery"
            " JOIN newsletters_signup AS signup ON signup.id = delivery.signup_id"
        )
        return dict(rows.fetchall())


def finished(database):
    """Whether the send is over: nothing left queued, and no message left in the worker's hands."""
    with closing(sqlite3.connect(database, timeout=10)) as db:
        rows = db.execute("SELECT COUNT(*) FROM newsletters_send WHERE finished_at IS NOT NULL")
        return rows.fetchone()[0] == 1


def wait_until(condition, *, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def test_a_worker_killed_mid_send_resumes_it_without_mailing_anyone_twice(site, inbox, workers):
    env, database = site
    first = workers(env)
    wait_until(lambda: len(inbox.envelopes) >= KILL_AFTER, seconds=30, what="the send to start")
    kill(first)
    (held,) = inbox.envelopes[-1].rcpt_tos
    states = deliveries(database)
    assert states[held] == "sending"
    assert Counter(states.values()) == {
        "sent": KILL_AFTER - 1,
        "sending": 1,
        "queued": RECIPIENTS - KILL_AFTER,
    }

    workers(env)
    wait_until(lambda: finished(database), seconds=40, what="the send to finish")

    received = Counter(address for e in inbox.envelopes for address in e.rcpt_tos)
    states = deliveries(database)
    sent = {address for address, state in states.items() if state == "sent"}
    assert len(states) == RECIPIENTS
    assert received.most_common(1)[0][1] == 1, "someone was mailed twice"
    assert set(received) == set(states), "everyone has their message, the one in hand included"
    assert sent == set(received) - {held}
    assert states[held] == "sending", "a message that may have left is never tried again"

"""The newsletter clock: one chain of ticks in the task queue, however often it is started,
that goes on when a worker dies holding it."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from magazine.models import Article
from newsletters import clock
from newsletters.models import Schedule
from tests.factories import make_article, make_publication, make_user
from tests.newsletters.helpers import make_newsletter, sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued_ticks():
    return sorted(
        t.args_kwargs["args"][0]
        for t in DBTaskResult.objects.filter(task_path__endswith="clock.tick")
    )


def run(due):
    """Run the queued tick due at `due` as the worker would, taking it off the queue."""
    DBTaskResult.objects.filter(args_kwargs__args=[due]).delete()
    return clock.tick.call(due)


def test_starting_the_clock_twice_queues_one_tick(queue):
    assert clock.ensure_running()
    assert clock.ensure_running()
    assert len(queued_ticks()) == 1


def test_without_a_queue_that_can_wait_the_clock_does_not_start(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert clock.ensure_running() is False
    assert not Schedule.objects.exists()


def test_a_tick_sends_what_is_due_and_queues_the_next(queue, settings):
    title = make_publication()
    sign_up(make_newsletter(title), make_user("reader@example.com"))
    make_article(
        title, access=Article.Access.FREE, publish_at=timezone.now() - timedelta(seconds=5)
    )
    clock.ensure_running()
    [due] = queued_ticks()
    assert run(due) == "done"
    assert [m.to for m in mail.outbox] == [["reader@example.com"]]
    [following] = queued_ticks()
    gap = timezone.datetime.fromisoformat(following) - timezone.datetime.fromisoformat(due)
    assert (
        timedelta(seconds=settings.NEWSLETTER_TICK_SECONDS - 1)
        < gap
        < timedelta(seconds=settings.NEWSLETTER_TICK_SECONDS + 5)
    )


def test_a_stray_tick_stops_and_the_chain_stays_one(queue):
    clock.ensure_running()
    [due] = queued_ticks()
    stray = (timezone.now() - timedelta(minutes=1)).isoformat()
    assert run(stray) == "stray"
    assert queued_ticks() == [due]


def test_a_tick_that_finds_the_lease_held_comes_back_when_it_ends(queue):
    clock.ensure_running()
    [due] = queued_ticks()
    held_until = timezone.now() + timedelta(seconds=40)
    Schedule.objects.update(lease_until=held_until)  # a worker died sending
    assert run(due) == "busy"
    assert queued_ticks() == [held_until.isoformat()]
    with time_machine.travel(held_until + timedelta(seconds=1), tick=False):
        assert run(held_until.isoformat()) == "done"


def test_a_long_send_goes_on_at_once_in_slices(queue, settings, monkeypatch):
    settings.NEWSLETTER_SEND_SECONDS = 0  # each tick's slice ends after one batch
    monkeypatch.setattr("newsletters.sending.BATCH", 2)
    title = make_publication()
    newsletter = make_newsletter(title)
    for n in range(5):
        sign_up(newsletter, email=f"r{n}@example.com")
    make_article(title, publish_at=timezone.now() - timedelta(seconds=5))
    clock.ensure_running()
    [due] = queued_ticks()
    assert run(due) == "more"
    while (result := run(min(queued_ticks()))) == "more":
        pass
    assert result == "done" and len(mail.outbox) == 5


def test_an_overdue_chain_is_started_again(queue):
    clock.ensure_running()
    DBTaskResult.objects.all().delete()  # the queued tick was lost
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        clock.ensure_running()
        assert len(queued_ticks()) == 1


def test_publishing_brings_the_next_tick_forward(queue, django_capture_on_commit_callbacks):
    title = make_publication()
    sign_up(make_newsletter(title), make_user("reader@example.com"))
    clock.ensure_running()
    run(min(queued_ticks()))
    [planned] = queued_ticks()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title, publish_at=timezone.now() - timedelta(seconds=1))
    now = min(queued_ticks())
    assert now < planned
    assert run(planned) == "stray"
    assert run(now) == "done"
    assert [m.to for m in mail.outbox] == [["reader@example.com"]]


def test_a_draft_or_an_article_not_for_email_leaves_the_clock_alone(
    queue, django_capture_on_commit_callbacks
):
    title = make_publication()
    clock.ensure_running()
    run(min(queued_ticks()))
    planned = queued_ticks()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title, status=Article.Status.DRAFT, publish_at=None)
        make_article(title, send_by_email=False, publish_at=timezone.now())
    assert queued_ticks() == planned


def test_a_tick_whose_mail_server_is_away_comes_back_at_the_interval_not_at_once(queue, settings):
    import socket

    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]  # nothing listens on it
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    title = make_publication()
    sign_up(make_newsletter(title), email="reader@example.com")
    make_article(title, publish_at=timezone.now() - timedelta(seconds=5))
    clock.ensure_running()
    [due] = queued_ticks()
    before = timezone.now()
    assert run(due) == "done"
    [following] = queued_ticks()
    assert following >= (before + timedelta(seconds=settings.NEWSLETTER_TICK_SECONDS)).isoformat()


def test_a_tick_that_outlived_its_lease_leaves_the_next_holders_lease_alone(queue, monkeypatch):
    clock.ensure_running()
    [due] = queued_ticks()
    later = timezone.now() + timedelta(minutes=5)

    def overrun(now, deadline):
        Schedule.objects.update(lease_until=later)  # another tick took over meanwhile
        return False

    monkeypatch.setattr(clock.sending, "run", overrun)
    run(due)
    assert Schedule.objects.get().lease_until == later

"""The newsletter clock: one chain of tasks in the worker's queue, each running one turn of
`sending.run` and queueing the next, `NEWSLETTER_TICK_SECONDS` apart — so sends start within a
tick of being due with no cron, and a long send is delivered a slice at a time.

One chain, however often it is started: the `Schedule` row names the one tick that is due, and
a tick that finds another named is a stray and stops. The tick that runs holds a lease while it
sends, so that two workers never deliver at once; the next tick is queued before the work
starts, so a worker killed mid-send leaves the chain going, and the next tick resumes the send
when the lease has run out.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from newsletters import sending
from newsletters.models import Schedule


def tick_interval():
    return timedelta(seconds=settings.NEWSLETTER_TICK_SECONDS)


def lease():
    """How long a tick may hold the right to send: its time slice and a mail server's
    timeout, twice over."""
    return timedelta(seconds=2 * (settings.NEWSLETTER_SEND_SECONDS + settings.EMAIL_TIMEOUT))


def ensure_running(now=None):
    """Start the chain unless its next tick is queued and not overdue (a worker calls this as
    it starts). Needs a task backend that can wait: without one, run `send_newsletters`."""
    if not default_task_backend.supports_defer:
        return False
    now = now or timezone.now()
    with transaction.atomic():
        schedule = current_schedule()
        overdue = now - 2 * tick_interval() - lease()
        if schedule.next_tick_at is None or schedule.next_tick_at < overdue:
            plan(schedule, now)
    return True


def soon():
    """Bring the next tick forward to now, when it is queued and no tick is sending: an article
    was just published, and its readers need not wait out the interval. (The tick that was due
    finds itself a stray and stops.)"""
    if not default_task_backend.supports_defer:
        return
    now = timezone.now()
    with transaction.atomic():
        schedule = current_schedule()
        idle = schedule.lease_until is None or schedule.lease_until < now
        if idle and schedule.next_tick_at and schedule.next_tick_at > now:
            plan(schedule, now)


def current_schedule():
    """The schedule row, locked for the rest of the transaction."""
    Schedule.objects.get_or_create(pk=1)
    return Schedule.objects.select_for_update().get(pk=1)


def plan(schedule, at):
    """Make the tick at `at` the one that is due, and queue it."""
    schedule.next_tick_at = at
    schedule.save(update_fields=["next_tick_at"])
    tick.using(run_after=at).enqueue(at.isoformat())  # with the row: a queue in the database


@task()
def tick(due):
    now = timezone.now()
    with transaction.atomic():
        schedule = current_schedule()
        if schedule.next_tick_at is None or schedule.next_tick_at.isoformat() != due:
            return "stray"
        if schedule.lease_until and schedule.lease_until > now:
            plan(schedule, schedule.lease_until)  # a tick is sending, or died sending
            return "busy"
        mine = schedule.lease_until = now + lease()
        schedule.save(update_fields=["lease_until"])
        plan(schedule, now + tick_interval())
    deadline = time.monotonic() + settings.NEWSLETTER_SEND_SECONDS
    try:
        more = sending.run(now, deadline=deadline)
    finally:
        # Only this tick's own lease: were it ever to outlast it, the next holder's stands.
        Schedule.objects.filter(pk=1, lease_until=mine).update(lease_until=None)
    if more:
        with transaction.atomic():
            plan(current_schedule(), timezone.now())
    return "more" if more else "done"

"""Work the task worker does for billing: the events of the providers that live in this site
(delivered a moment later, as a real provider's webhooks are) and gifts on their day."""

from django_tasks import task

from billing import events, gifts
from billing.providers import provider


@task()
def deliver_local_event(provider_name, event_id):
    events.receive(provider_name, provider(provider_name).event(event_id))


@task()
def deliver_gift(gift_id):
    gifts.deliver(gift_id)

"""A provider's events: each kept once by its id, then acted on by re-fetching what it is about.

An event that fails is rolled back and keeps its error; the provider sends it again (a 500 to a
webhook), and a second delivery of an event that was not processed is processed then. A
second delivery of one that was is a no-op.
"""

import logging
import traceback

from django.db import transaction
from django.utils import timezone

from billing import emails, sync
from billing.models import Customer, Payment, WebhookEvent
from billing.providers import Event, provider

log = logging.getLogger(__name__)


def on_checkout(provider, event):
    sync.sync_checkout(provider, event.object_id)


def on_subscription(provider, event):
    sync.sync_subscription(provider, event.object_id)


def on_trial_ending(provider, event):
    paid = sync.sync_subscription(provider, event.object_id)
    if paid is not None and paid.trial_end:
        emails.trial_ending(paid)


def on_invoice(provider, event):
    sync.record_payment(provider, provider.fetch_payment(event.object_id))


def on_action_required(provider, event):
    payment = sync.record_payment(provider, provider.fetch_payment(event.object_id))
    if payment is not None:
        emails.action_required(payment)


def on_charge_refunded(provider, event):
    invoice_id = provider.invoice_of_charge(event.object_id)
    if invoice_id:
        sync.record_payment(provider, provider.fetch_payment(invoice_id))


def on_dispute(provider, event):
    charge_id = provider.charge_of_dispute(event.object_id)
    payment = Payment.objects.filter(provider=provider.name, charge_id=charge_id).first()
    if payment is None:
        return
    Payment.objects.filter(pk=payment.pk).update(disputed=True)
    emails.tell_staff(
        f"dispute:{provider.name}:{event.object_id}",
        subject=f"A payment is disputed: {payment}",
        body=f"{payment.customer.user} disputes payment {payment.external_id} "
        f"({provider.name}). Answer it at the provider before its deadline.",
    )


def on_customer(provider, event):
    summary, deleted = provider.describe_customer(event.object_id)
    Customer.objects.filter(provider=provider.name, external_id=event.object_id).update(
        payment_method=summary, deleted=deleted
    )


HANDLERS = {
    "checkout.session.completed": on_checkout,
    "checkout.session.expired": on_checkout,
    "customer.subscription.created": on_subscription,
    "customer.subscription.updated": on_subscription,
    "customer.subscription.deleted": on_subscription,
    "customer.subscription.trial_will_end": on_trial_ending,
    "invoice.paid": on_invoice,
    "invoice.payment_succeeded": on_invoice,
    "invoice.payment_failed": on_invoice,
    "invoice.payment_action_required": on_action_required,
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_dispute,
    "customer.updated": on_customer,
    "customer.deleted": on_customer,
}


class EventFailed(Exception):
    """The event could not be processed; it is kept with its error, for another delivery."""


def receive(provider_name, event):
    """Keep `event` from the provider `provider_name` once and act on it: "processed",
    "duplicate" or "ignored"; EventFailed when acting on it failed (nothing of it was written
    but the event and its error) — a provider that cannot be reached or is not set up included.

    The event's row stays locked while it is acted on: a second delivery of it meanwhile waits,
    then finds it processed."""
    with transaction.atomic():
        WebhookEvent.objects.bulk_create(  # INSERT … ON CONFLICT DO NOTHING: kept once
            [WebhookEvent(provider=provider_name, event_id=event.id, type=event.type,
                          object_id=event.object_id, payload=event.payload)],
            ignore_conflicts=True,
        )  # fmt: skip
        row = WebhookEvent.objects.select_for_update().get(
            provider=provider_name, event_id=event.id
        )
        if row.processed_at is not None:
            return "duplicate"
        handler = HANDLERS.get(event.type)
        try:
            if handler is not None:
                with transaction.atomic():  # a savepoint: a failure undoes the handler's writes
                    handler(provider(provider_name), event)
        except Exception as error:
            log.exception("%s event %s (%s) failed", provider_name, event.id, event.type)
            WebhookEvent.objects.filter(pk=row.pk).update(error=traceback.format_exc()[-4000:])
            failure = error
        else:
            WebhookEvent.objects.filter(pk=row.pk).update(processed_at=timezone.now(), error="")
            return "ignored" if handler is None else "processed"
    raise EventFailed(event.id) from failure


def receive_again(row):
    """Act on a kept event that failed (staff ask for it, once its cause is fixed)."""
    event = Event(row.event_id, row.type, row.object_id, row.payload)
    return receive(row.provider, event)

"""Billing in the admin: prices on their plans; the provider's records, to read (the provider owns
them: a hand edit would be undone by the next sync, a deleted row made again without its
history); refunds; payments made by cheque or phone; the test provider's passing of time; and
the revenue page with its export of subscribers.

Every change is asked of the provider, then synced at once from what the provider says, as its
event will be: the page shows the new state straight away, and the event finds nothing to do.
"""

from billing.admin import payments, prices, records, subscriptions

__all__ = ["payments", "prices", "records", "subscriptions"]

"""Readers pay for subscriptions (and give them as gifts) through a payment provider.

One small seam (`providers`) between the site and Stripe, the built-in test provider, or staff
recording payments by hand; one set of functions that own every local write (`sync`), fed by
the provider's events and by the return from its checkout alike. Billing writes entitlements —
`paywall.Subscription` rows — and never decides who may read.
"""

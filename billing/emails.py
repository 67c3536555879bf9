"""The emails money sends: receipts, failed payments, trials ending, cancellations, access ended,
gifts. Each is keyed by what it is about (a `Notice`), so a replayed or reordered event never
sends one twice; all leave through the outbox."""

from django.conf import settings
from django.urls import reverse

from billing.models import Notice, PaidSubscription, Payment, format_amount, format_day
from magazine.site import absolute_url
from outbox.tasks import send_later, templated_message


def notify(key, *, to, subject, paragraphs, action=None):
    """Send the notice `key` once: (`action` is (label, url) for its button)."""
    _, created = Notice.objects.get_or_create(key=key)
    if not created:
        return False
    context = {"paragraphs": paragraphs, "action": action, "site_name": settings.SITE_NAME}
    send_later(
        templated_message(
            "billing/email/notice",
            context,
            subject=subject,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
        )
    )
    return True


def billing_page():
    return ("See your subscription", absolute_url(reverse("account_overview") + "#billing"))


def bought_with(payment):
    return payment.subscription.price.plan.name if payment.subscription else "your order"


def payment_recorded(payment, *, was, what=None):
    """A receipt for a payment newly paid; a warning for each failed attempt."""
    newly_paid = payment.status == Payment.Status.PAID and was != Payment.Status.PAID
    newly_paid = newly_paid and payment.amount > 0  # a trial's $0 invoice needs no receipt
    if not newly_paid and payment.status != Payment.Status.FAILED:
        return  # nothing to say: most events about a payment repeat what was known
    user = payment.customer.user
    what = what or bought_with(payment)
    amount = format_amount(payment.amount, payment.currency)
    if newly_paid:
        period = (
            f"It covers {format_day(payment.period_start)} to {format_day(payment.period_end)}."
            if payment.period_end
            else ""
        )
        notify(
            f"receipt:{payment.provider}:{payment.external_id}",
            to=user.email,
            subject=f"Your receipt: {amount} for {what}",
            paragraphs=[
                f"Thank you. We received {amount} for {what} on {format_day(payment.paid_at)}.",
                period,
                f"Receipt number: {payment.external_id}.",
            ],
            action=billing_page(),
        )
    elif payment.status == Payment.Status.FAILED:
        notify(
            f"failed:{payment.provider}:{payment.external_id}:{payment.attempts}",
            to=user.email,
            subject=f"Your payment for {what} did not go through",
            paragraphs=[
                f"We could not take {amount} for {what}. You keep reading meanwhile, and we will "
                "try again in a few days.",
                "If your card has changed or expired, please update it so your subscription "
                "carries on.",
            ],
            action=("Update your card", billing_page()[1]),
        )


def payment_refunded(payment, amount, *, what=None):
    """Tell the reader of `amount` on its way back (once for each refund of the payment)."""
    what = what or bought_with(payment)
    refunded = format_amount(amount, payment.currency)
    total = format_amount(payment.amount_refunded, payment.currency)
    notify(
        f"refund:{payment.provider}:{payment.external_id}:{payment.amount_refunded}",
        to=payment.customer.user.email,
        subject=f"Your refund: {refunded} for {what}",
        paragraphs=[
            f"We have refunded {refunded} of the {payment.amount_text} you paid for {what} on "
            f"{format_day(payment.paid_at)}. Your bank shows it within a few days.",
            f"Refunded in all: {total}." if total != refunded else "",
            f"Receipt number: {payment.external_id}.",
        ],
        action=billing_page(),
    )


def subscription_changed(paid, *, was):
    """Confirm a cancellation the moment it is made, and say when access has ended."""
    status, cancelling = was
    cancelled = paid.cancel_at_period_end and not cancelling and paid.is_live
    ended = paid.status in PaidSubscription.TERMINAL and status not in PaidSubscription.TERMINAL
    if not (cancelled or ended):
        return
    user, plan = paid.customer.user, paid.price.plan.name
    if cancelled:
        notify(
            f"cancelled:{paid.provider}:{paid.external_id}:{paid.current_period_end}",
            to=user.email,
            subject=f"Cancelled: {plan} will not renew",
            paragraphs=[
                f"As you asked, {plan} will not renew. You keep reading "
                f"until {format_day(paid.current_period_end)}, and you will not be charged again.",
                "Changed your mind? You can resume it until then, from your account.",
            ],
            action=billing_page(),
        )
    if ended and paid.entitlement_id is not None:  # only those who could read hear it ended
        notify(
            f"ended:{paid.provider}:{paid.external_id}",
            to=user.email,
            subject=f"{plan} has ended",
            paragraphs=[
                f"{plan} ended on {format_day(paid.ended_at)}, and with it your "
                "access to subscribers' articles.",
                "You are welcome back whenever you like.",
            ],
            action=("Subscribe again", absolute_url("/")),
        )


def trial_ending(paid):
    """A few days before a free period ends: a trial, or the gift year a paying reader was
    given (their subscription then renews, as it did before)."""
    plan, when, price = paid.price.plan.name, format_day(paid.trial_end), paid.renewal_price.label
    paid_before = paid.has_paid_before
    subject = (
        f"{plan} renews on {when}" if paid_before else f"Your free trial of {plan} ends on {when}"
    )
    notify(
        f"trial:{paid.provider}:{paid.external_id}:{paid.trial_end}",
        to=paid.customer.user.email,
        subject=subject,
        paragraphs=[
            f"Your {'gift year' if paid_before else 'free trial'} ends on {when}. Unless you "
            f"cancel before then, your subscription carries on at {price}.",
        ],
        action=billing_page(),
    )


def action_required(payment):
    """The reader's bank wants them to confirm a payment: on the provider's page for the
    invoice if it has one, else from their account."""
    url = payment.receipt_url or billing_page()[1]
    notify(
        f"action:{payment.provider}:{payment.external_id}:{payment.attempts}",
        to=payment.customer.user.email,
        subject="Your bank asks you to confirm a payment",
        paragraphs=["Your bank needs you to confirm this payment before it can go through."],
        action=("Confirm the payment", url),
    )


def tell_staff(key, *, subject, body):
    """A note to the site's managers (`MANAGERS`), once."""
    for _, address in settings.MANAGERS:
        notify(f"{key}:{address}", to=address, subject=subject, paragraphs=[body])


def gift_bought(gift):
    plan = gift.price.plan.name
    notify(
        f"gift-bought:{gift.pk}",
        to=gift.buyer.email,
        subject=f"Your gift of {plan} is ready",
        paragraphs=[
            f"Thank you. We will email {gift.recipient_email} on {format_day(gift.deliver_on)} "
            f"with your message and a code for a year of {plan}.",
            "Your account shows when it has been redeemed.",
        ],
        action=("See your gifts", absolute_url(reverse("account_overview") + "#gifts")),
    )


def gift_arrived(gift, code, url, *, sent):
    giver = gift.buyer.get_full_name() or gift.buyer.email
    plan = gift.price.plan.name
    notify(
        f"gift:{gift.pk}:{sent.isoformat()}",
        to=gift.recipient_email,
        subject=f"{giver} has given you a year of {plan}",
        paragraphs=[
            f"Hello{' ' + gift.recipient_name if gift.recipient_name else ''},",
            f"{giver} has given you a year of {plan}: every article, on the website.",
            f"“{gift.message}”" if gift.message else "",
            f"Your gift code: {code}",
            "Use the button below (or enter the code at the address below it) to start your "
            "year; you can log in or create a free account on the way. The code works once, "
            f"until {format_day(gift.expires_at)}.",
        ],
        action=("Start reading", url),
    )


def gift_redeemed(gift):
    notify(
        f"gift-redeemed:{gift.pk}",
        to=gift.buyer.email,
        subject=f"Your gift of {gift.price.plan.name} has been redeemed",
        paragraphs=[
            f"{gift.recipient_email} has started the year of {gift.price.plan.name} you gave "
            "them. Thank you for sharing it."
        ],
    )

"""Paid subscriptions: to read, with the test provider's passing of time as actions, and the
revenue page with its export of subscribers."""

import csv

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from billing import revenue, sync
from billing.admin.payments import PaymentInline
from billing.admin.provider_owned import ProviderOwned
from billing.models import PaidSubscription, format_amount
from billing.providers import ProviderError
from billing.providers.test import TestProvider

REVENUE_PERMISSIONS = ["billing.view_paidsubscription", "billing.view_payment"]


def sync_after(at, subscription_id, invoice=None):
    sync.sync_subscription(at, subscription_id)
    if invoice is not None:
        sync.record_payment(at, at.fetch_payment(invoice.external_id))


def give_up(at, subscription_id):
    """The last retry of a past-due subscription failed: the provider ends it."""
    if at.fetch_subscription(subscription_id).status != PaidSubscription.Status.PAST_DUE:
        raise ProviderError("Only a past-due subscription has a last retry to fail.")
    at.end(subscription_id)


def simulating():
    """Whether staff may make time pass: only on a site whose provider is the test one."""
    return settings.BILLING_PROVIDER == "test"


SIMULATIONS = {
    "simulate_renewal_paid": lambda at, sub: at.renew(sub, paid=True),
    "simulate_renewal_failed": lambda at, sub: at.renew(sub, paid=False),
    "simulate_retry_paid": lambda at, sub: at.retry(sub, paid=True),
    "simulate_last_retry_failed": give_up,
}


@admin.register(PaidSubscription)
class PaidSubscriptionAdmin(ProviderOwned, admin.ModelAdmin):
    list_display = ["reader", "plan", "price_label", "status", "renews_or_ends", "provider"]
    list_filter = ["status", "provider", "price__plan"]
    list_select_related = ["customer__user", "price__plan"]
    search_fields = ["customer__user__email", "external_id"]
    date_hierarchy = "started_at"
    fields = ["customer", "price", "status", "provider", "external_id", "started_at",
              "current_period_end", "trial_end", "cancel_at_period_end", "renewal_stopped_at",
              "cancel_reason", "ended_at", "entitlement_link", "synced_at"]  # fmt: skip
    readonly_fields = ["entitlement_link"]
    inlines = [PaymentInline]
    actions = list(SIMULATIONS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("revenue/", view(self.revenue_view), name="billing_revenue"),
            path("revenue/subscribers.csv", view(self.subscribers_csv), name="billing_export"),
            *super().get_urls(),
        ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not simulating():
            for name in SIMULATIONS:
                actions.pop(name, None)
        return actions

    @admin.display(description="Reader", ordering="customer__user__email")
    def reader(self, paid):
        return paid.customer.user.email

    @admin.display(description="Plan", ordering="price__plan__name")
    def plan(self, paid):
        return paid.price.plan.name

    @admin.display(description="Price")
    def price_label(self, paid):
        return paid.price.label

    @admin.display(description="Renews or ends", ordering="current_period_end")
    def renews_or_ends(self, paid):
        if paid.status in PaidSubscription.TERMINAL:
            return f"Ended {revenue.day(paid.ended_at)}" if paid.ended_at else "Ended"
        if not paid.current_period_end:
            return "—"
        if paid.status == PaidSubscription.Status.PAST_DUE:
            return "Past due: the provider is retrying"
        verb = "Ends" if paid.cancel_at_period_end else "Renews"
        return f"{verb} {revenue.day(paid.current_period_end)}"

    @admin.display(description="Entitlement (what the paywall reads)")
    def entitlement_link(self, paid):
        if paid.entitlement_id is None:
            return "None yet: nothing paid."
        url = reverse("admin:paywall_subscription_change", args=[paid.entitlement_id])
        return format_html('<a href="{}">{}</a>', url, paid.entitlement)

    def _simulate(self, request, queryset, name, done):
        at, count = TestProvider(), 0
        for paid in queryset.select_related("customer__user", "price__plan"):
            if not simulating() or paid.provider != at.name:
                self.message_user(request, f"{paid}: not the test provider's.", messages.WARNING)
                continue
            try:
                with transaction.atomic():
                    sync_after(at, paid.external_id, SIMULATIONS[name](at, paid.external_id))
            except ProviderError as error:
                self.message_user(request, f"{paid}: {error}", messages.ERROR)
                continue
            count += 1
        if count:
            self.message_user(request, done.format(count=count), messages.SUCCESS)

    @admin.action(description="Simulate: renewal paid", permissions=["change"])
    def simulate_renewal_paid(self, request, queryset):
        self._simulate(request, queryset, "simulate_renewal_paid", "{count} renewed and paid.")

    @admin.action(description="Simulate: renewal failed", permissions=["change"])
    def simulate_renewal_failed(self, request, queryset):
        self._simulate(
            request, queryset, "simulate_renewal_failed", "{count} failed to renew: past due."
        )

    @admin.action(description="Simulate: retry paid", permissions=["change"])
    def simulate_retry_paid(self, request, queryset):
        self._simulate(request, queryset, "simulate_retry_paid", "{count} paid on a retry.")

    @admin.action(description="Simulate: last retry failed (subscription ends)",
                  permissions=["change"])  # fmt: skip
    def simulate_last_retry_failed(self, request, queryset):
        self._simulate(request, queryset, "simulate_last_retry_failed", "{count} ended unpaid.")

    # The revenue page --------------------------------------------------------------------------

    def check_revenue_permission(self, request):
        if not request.user.has_perms(REVENUE_PERMISSIONS):
            raise PermissionDenied("The revenue page is for staff who may see billing.")

    def revenue_view(self, request):
        self.check_revenue_permission(request)
        figures = revenue.figures(now=timezone.now())
        context = {
            **self.admin_site.each_context(request),
            **figures,
            "title": "Revenue",
            "opts": self.model._meta,
            "mrr": amounts(figures["mrr"]),
            "refunds": amounts(figures["refunds"]),
        }
        return TemplateResponse(request, "admin/billing/revenue.html", context)

    def subscribers_csv(self, request):
        self.check_revenue_permission(request)
        writer = csv.writer(Echo())
        rows = revenue.subscriber_rows(PaidSubscription.objects.all())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
        )
        name = f"subscribers-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class Echo:
    """A file that hands back what is written to it: csv.writer's rows, to be streamed."""

    def write(self, value):
        return value


def amounts(totals):
    """Amounts per currency as staff read them ("$32", "€12"); nothing yet is nought."""
    shown = [format_amount(amount, currency) for currency, amount in totals.items()]
    return shown or [format_amount(0, settings.BILLING_CURRENCY)]

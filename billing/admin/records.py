"""What the provider told us: webhook events (failed ones processed again), gifts (emailed
again), single issues bought, customers."""

from django.contrib import admin, messages

from billing import events, gifts
from billing.admin.provider_owned import ProviderOwned
from billing.models import Customer, EditionOrder, GiftSubscription, WebhookEvent
from billing.providers import ProviderError


class ProcessedFilter(admin.SimpleListFilter):
    title = "processed"
    parameter_name = "processed"

    def lookups(self, request, model_admin):
        return [("yes", "Processed"), ("no", "Not processed")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(processed_at__isnull=self.value() == "no")
        return queryset


class ErrorFilter(admin.SimpleListFilter):
    title = "error"
    parameter_name = "error"

    def lookups(self, request, model_admin):
        return [("yes", "Failed"), ("no", "No error")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(error="")
        if self.value() == "no":
            return queryset.filter(error="")
        return queryset


def last_line(error):
    """A traceback's last line: the exception, which says why."""
    lines = [line for line in error.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no error recorded"


@admin.register(WebhookEvent)
class WebhookEventAdmin(ProviderOwned, admin.ModelAdmin):
    list_display = ["received_at", "type", "processed", "failed", "object_id", "provider"]
    list_filter = ["type", ProcessedFilter, ErrorFilter, "provider"]
    search_fields = ["event_id", "object_id"]
    date_hierarchy = "received_at"
    actions = ["process_again"]

    @admin.display(description="Processed", boolean=True, ordering="processed_at")
    def processed(self, event):
        return event.processed_at is not None

    @admin.display(description="Failed", boolean=True)
    def failed(self, event):
        return bool(event.error)

    @admin.action(description="Process again (failed events)", permissions=["change"])
    def process_again(self, request, queryset):
        outcomes = {"processed": 0, "failed again": 0, "had not failed: left alone": 0}
        for row in queryset:
            if row.processed_at is not None or not row.error:
                outcomes["had not failed: left alone"] += 1
                continue
            try:
                events.receive_again(row)
                outcomes["processed"] += 1
            except (events.EventFailed, ProviderError):
                outcomes["failed again"] += 1
                row.refresh_from_db(fields=["error"])
                self.message_user(
                    request, f"{row.type} {row.event_id}: {last_line(row.error)}", messages.ERROR
                )
        for outcome, count in outcomes.items():
            if count:
                level = messages.SUCCESS if outcome == "processed" else messages.WARNING
                self.message_user(request, f"{count} event(s) {outcome}.", level)


@admin.register(GiftSubscription)
class GiftSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["buyer", "recipient_email", "plan", "paid_at", "delivered_at",
                    "redeemed_at", "expires_at"]  # fmt: skip
    list_filter = ["paid_at", "delivered_at", "redeemed_at", "price__plan"]
    list_select_related = ["buyer", "price__plan"]
    search_fields = ["buyer__email", "recipient_email", "recipient_name"]
    date_hierarchy = "created_at"
    fields = ["buyer", "price", "recipient_email", "recipient_name", "message", "deliver_on",
              "paid_at", "delivered_at", "redeemed_by", "redeemed_at", "expires_at",
              "created_at"]  # fmt: skip
    # The recipient's address may be corrected (then the code emailed again); nothing else.
    readonly_fields = [name for name in fields if name not in ("recipient_email", "recipient_name")]
    actions = ["email_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Plan", ordering="price__plan__name")
    def plan(self, gift):
        return gift.price.plan.name

    @admin.action(description="Email the code again (new code)", permissions=["change"])
    def email_again(self, request, queryset):
        sent = [gift for gift in queryset if gifts.deliver(gift.pk, again=True)]
        if sent:
            self.message_user(
                request,
                f"{len(sent)} gift(s) emailed again, each with a new code: the old one no "
                "longer works.",
                messages.SUCCESS,
            )
        if len(sent) < len(queryset):
            self.message_user(
                request,
                f"{len(queryset) - len(sent)} gift(s) not emailed: not paid, already redeemed, "
                "or their day has not come.",
                messages.WARNING,
            )


@admin.register(EditionOrder)
class EditionOrderAdmin(ProviderOwned, admin.ModelAdmin):
    """Single issues bought: what the payments made them. Refund one from its payment (the
    edition is then taken back); give an issue from Subscriptions and paywall › Single-issue
    editions."""

    list_display = ["buyer", "issue", "amount_text", "paid_at", "refunded_at"]
    list_filter = ["paid_at", "refunded_at", "issue__publication"]
    list_select_related = ["buyer", "issue__publication"]
    search_fields = ["buyer__email"]
    date_hierarchy = "created_at"

    @admin.display(description="Amount", ordering="amount")
    def amount_text(self, order):
        return order.amount_text


@admin.register(Customer)
class CustomerAdmin(ProviderOwned, admin.ModelAdmin):
    list_display = ["user", "provider", "external_id", "payment_method", "deleted", "created_at"]
    list_filter = ["provider", "deleted"]
    list_select_related = ["user"]
    search_fields = ["user__email", "external_id"]

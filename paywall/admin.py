"""Staff manage plans and subscriptions (search by email, filter by plan and status, extend,
cancel, give complimentary subscriptions), give or revoke one issue's edition, and see the gift
links readers give, revoking one when it must stop working at once."""

from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from paywall import subscriptions
from paywall.models import EditionAccess, GiftLink, Plan, Subscription, grace_period

Status = Subscription.Status


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "price_text", "is_offered"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["publications"]
    search_fields = ["name"]


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        not_cancelled = Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=now)
        filters = {
            Status.PENDING: not_cancelled & Q(starts_at__gt=now),
            Status.ACTIVE: not_cancelled & Q(starts_at__lte=now, ends_at__gt=now),
            Status.GRACE: not_cancelled
            & Q(starts_at__lte=now, ends_at__lte=now, ends_at__gt=now - grace_period()),
            Status.EXPIRED: not_cancelled & Q(ends_at__lte=now - grace_period()),
            Status.CANCELLED: Q(cancelled_at__lte=now),
        }
        return queryset.filter(filters[self.value()]) if self.value() in filters else queryset


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "plan", "status_label", "starts_at", "ends_at", "source"]
    list_filter = ["plan", StatusFilter, "source"]
    list_select_related = ["user", "plan"]
    search_fields = ["user__email", "user__display_name", "note"]
    autocomplete_fields = ["user"]
    date_hierarchy = "ends_at"
    readonly_fields = ["created_at", "updated_at"]
    actions = ["extend_month", "extend_year", "cancel_now"]
    fields = ["user", "plan", "source", "starts_at", "ends_at", "cancelled_at", "note",
              "created_at", "updated_at"]  # fmt: skip

    def get_changeform_initial_data(self, request):
        # "Comp": a complimentary year, the common case when staff add one by hand.
        now = timezone.now()
        return {
            "source": Subscription.Source.COMP,
            "starts_at": now,
            "ends_at": now + timedelta(days=365),
            **super().get_changeform_initial_data(request),
        }

    @admin.display(description="Status")
    def status_label(self, subscription):
        return subscription.status().label

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.source == Subscription.Source.PRINT:
            return self.fields  # its dates are the print record's: the next import resets them
        return super().get_readonly_fields(request, obj)

    def _each(self, request, queryset, change, message):
        followed = queryset.filter(source=Subscription.Source.PRINT)
        changed = list(queryset.exclude(source=Subscription.Source.PRINT))
        for subscription in changed:
            change(subscription)
        if changed:
            self.message_user(request, message.format(count=len(changed)), messages.SUCCESS)
        if followed.exists():
            self.message_user(
                request,
                f"{followed.count()} print-linked subscription(s) left alone: they follow their "
                "print record. Import the fulfilment file again, or unlink it under Print links.",
                messages.WARNING,
            )

    def _extend(self, request, queryset, *, days, period):
        by = timedelta(days=days)
        self._each(
            request,
            queryset,
            lambda subscription: subscriptions.extend(subscription=subscription, by=by),
            f"{{count}} subscription(s) extended by a {period}.",
        )

    @admin.action(description="Extend selected by one month", permissions=["change"])
    def extend_month(self, request, queryset):
        self._extend(request, queryset, days=31, period="month")

    @admin.action(description="Extend selected by one year", permissions=["change"])
    def extend_year(self, request, queryset):
        self._extend(request, queryset, days=365, period="year")

    @admin.action(description="Cancel selected now", permissions=["change"])
    def cancel_now(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda subscription: subscriptions.cancel(subscription=subscription),
            "{count} subscription(s) cancelled.",
        )


class SubscriptionFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        """A print-linked subscription is shown, not edited: its dates are its print record's
        (the next import would undo an edit), and it goes with its link (Print links)."""
        super().add_fields(form, index)
        if form.instance.pk and form.instance.source == Subscription.Source.PRINT:
            for field in form.fields.values():
                field.disabled = True


class SubscriptionInline(admin.TabularInline):
    """A reader's subscriptions, on their page in the admin."""

    model = Subscription
    formset = SubscriptionFormSet
    extra = 0
    fields = ["plan", "source", "starts_at", "ends_at", "cancelled_at", "note"]
    show_change_link = True


class GiftStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return GiftLink.Status.choices

    def queryset(self, request, queryset):
        if self.value() not in GiftLink.Status.values:
            return queryset
        return queryset.with_status(self.value(), timezone.now())


@admin.register(GiftLink)
class GiftLinkAdmin(admin.ModelAdmin):
    list_display = ["article", "giver", "giver_name", "created_at", "expires_at", "status_label"]
    list_filter = [GiftStatusFilter, "article__publication"]
    list_select_related = ["article", "giver"]
    search_fields = ["article__title", "giver__email", "giver_name"]
    date_hierarchy = "created_at"
    fields = readonly_fields = ["article", "giver", "giver_name", "created_at", "expires_at",
                                "revoked_at"]  # fmt: skip
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Status")
    def status_label(self, link):
        return link.status().label

    @admin.action(description="Revoke selected gift links", permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} gift link(s) revoked.", messages.SUCCESS)


@admin.register(EditionAccess)
class EditionAccessAdmin(admin.ModelAdmin):
    """Editions held alone: bought (billing records the purchase) or given here by staff — a
    replacement for a lost copy, a contributor's issue."""

    list_display = ["user", "issue", "source", "granted_at", "revoked_at"]
    list_filter = ["source", "issue__publication"]
    list_select_related = ["user", "issue__publication"]
    search_fields = ["user__email", "note"]
    autocomplete_fields = ["user"]
    fields = ["user", "issue", "source", "note", "granted_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # Who holds which issue is fixed once given, and a revocation is final: give another.
        if obj is None:
            return ["source", "granted_at"]
        fixed = ["user", "issue", "source", "granted_at"]
        bought = obj.source == EditionAccess.Source.BOUGHT
        return [*fixed, "revoked_at"] if obj.revoked_at or bought else fixed

    @admin.action(description="Revoke selected editions now", permissions=["change"])
    def revoke(self, request, queryset):
        held = queryset.filter(revoked_at__isnull=True)
        given = list(held.exclude(source=EditionAccess.Source.BOUGHT))
        now = timezone.now()
        for edition in given:  # one by one: each save tells the reader's cache
            edition.revoked_at = now
            edition.save(update_fields=["revoked_at"])
        self.message_user(request, f"{len(given)} edition(s) revoked.", messages.SUCCESS)
        bought = held.filter(source=EditionAccess.Source.BOUGHT).count()
        if bought:
            self.message_user(
                request,
                f"{bought} bought edition(s) left alone: refund the payment (Billing › "
                "Payments) and the edition goes with it.",
                messages.WARNING,
            )

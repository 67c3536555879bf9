"""Prices, on their plan's page: billing adds them to the paywall's plan admin, so that the
paywall knows nothing of billing. And each publication's single-issue price."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from billing import revenue
from billing.models import CheckoutAttempt, Price, SingleIssuePrice
from paywall.admin import PlanAdmin
from paywall.models import Plan


def in_use(price):
    return (
        price.subscriptions.exists()
        or price.gifts.exists()
        or CheckoutAttempt.objects.filter(price=price).exists()
    )


class AmountForm(forms.ModelForm):
    """An amount typed as readers read it (32.00), kept in minor units (3200)."""

    amount = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        help_text="In the currency's unit, with its cents: 32.00.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["amount"] = revenue.major_units(self.instance.amount)

    def clean_amount(self):
        return int(self.cleaned_data["amount"] * 100)


class PriceForm(AmountForm):
    class Meta:
        model = Price
        fields = ["interval", "amount", "trial_days", "active", "stripe_price_id"]

    def clean(self):
        cleaned = super().clean()
        repriced = {"amount", "interval"} & set(self.changed_data)
        if self.instance.pk and repriced and in_use(self.instance):
            raise forms.ValidationError(
                "Readers have bought this price, and renew at it: archive it (untick “Active”) "
                "and add the new one."
            )
        return cleaned


class PriceFormSet(BaseInlineFormSet):
    def clean(self):
        """One active price per interval, as the plan will be once saved. The database's
        constraint says so too, but the forms of a plan's page are checked without it."""
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form) or not data.get("active"):
                continue
            if data["interval"] in seen:
                form.add_error(
                    "active",
                    f"The plan has another active {data['interval']}ly price: untick “Active” "
                    "on one of them to archive it.",
                )
            seen.add(data["interval"])


class PriceInline(admin.TabularInline):
    model = Price
    form = PriceForm
    formset = PriceFormSet
    extra = 0


admin.site.unregister(Plan)


@admin.register(Plan)
class PricedPlanAdmin(PlanAdmin):
    """The paywall's plan admin with the plan's prices: billing adds them, so that the paywall
    knows nothing of billing."""

    inlines = [*PlanAdmin.inlines, PriceInline]
    list_display = [*PlanAdmin.list_display, "prices_on_sale"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prices")

    @admin.display(description="Prices on sale")
    def prices_on_sale(self, plan):
        return ", ".join(price.label for price in plan.prices.all() if price.active) or "—"


class SingleIssuePriceForm(AmountForm):
    class Meta:
        model = SingleIssuePrice
        fields = ["publication", "amount", "active"]  # in the site's currency, as plans' are


@admin.register(SingleIssuePrice)
class SingleIssuePriceAdmin(admin.ModelAdmin):
    """What one issue's edition costs on its own, per publication. A change applies to
    checkouts opened from then on: what a reader already paid for stays theirs."""

    form = SingleIssuePriceForm
    list_display = ["publication", "amount_text", "active"]
    list_select_related = ["publication"]

    @admin.display(description="Price", ordering="amount")
    def amount_text(self, price):
        return price.amount_text

"""Payments: refunds through the provider, and payments made by cheque or phone, recorded by
staff and synced at once."""

from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from billing import revenue, sync
from billing.admin.provider_owned import ProviderOwned
from billing.checkout import customer_for
from billing.models import Payment, Price
from billing.providers import ProviderError, provider
from billing.providers.manual import ManualProvider

RECORD_PERMISSION = "billing.add_payment"


class Amounts:
    @admin.display(description="Amount", ordering="amount")
    def amount_shown(self, payment):
        return payment.amount_text

    @admin.display(description="Status", ordering="status")
    def status_shown(self, payment):
        return payment.status_text

    @admin.display(description="Refunded", ordering="amount_refunded")
    def refunded(self, payment):
        return payment.refunded_text if payment.amount_refunded else "—"


class PaymentInline(Amounts, ProviderOwned, admin.TabularInline):
    model = Payment
    fields = ["created_at", "amount_shown", "refunded", "status_shown", "period_end", "method"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


def why_not_refundable(payment):
    if payment.status != Payment.Status.PAID:
        return "it was not paid."
    if payment.amount_refunded >= payment.amount:
        return "it is refunded already."
    return None


def refund(payment):
    """Refund `payment` whole at its provider, and record it as the provider then has it."""
    at = provider(payment.provider)
    with transaction.atomic():
        at.refund(payment)
        return sync.record_payment(at, at.fetch_payment(payment.external_id))


@transaction.atomic
def record_manual_payment(*, user, price, paid_at, method):
    """Record a payment made by cheque or phone and sync it at once: the reader reads now."""
    manual = ManualProvider()
    customer = customer_for(manual, user)
    external_id = manual.record_paid(customer=customer, price=price, paid_at=paid_at, method=method)
    return sync.sync_subscription(manual, external_id)


class PriceChoice(forms.ModelChoiceField):
    def label_from_instance(self, price):
        return f"{price}" + ("" if price.active else " (archived)")


class RecordPaymentForm(forms.Form):
    email = forms.EmailField(label="Reader's email address")
    price = PriceChoice(
        queryset=Price.objects.select_related("plan").order_by("plan__name", "-active", "interval"),
        help_text="What they paid for: the next period of their subscription to the plan, or a "
        "new one from the day they paid.",
    )
    paid_on = forms.DateField(label="Date paid", widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.CharField(
        label="Reference or method", max_length=120, help_text="“Cheque no. 1042”, “By phone”."
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        self.reader = get_user_model().objects.filter(email__iexact=email).first()
        if self.reader is None:
            raise forms.ValidationError(
                "No reader has this address: check it, or ask them to create an account first."
            )
        return email

    def clean_paid_on(self):
        day = self.cleaned_data["paid_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("That day has not come: record a payment once it is made.")
        return day

    def paid_at(self):
        """The start of the day paid, or now for today (so that the reader reads at once)."""
        day = self.cleaned_data["paid_on"]
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(day, time()))


@admin.register(Payment)
class PaymentAdmin(Amounts, ProviderOwned, admin.ModelAdmin):
    list_display = ["created_at", "reader", "amount_shown", "refunded", "status_shown", "disputed",
                    "method", "provider"]  # fmt: skip
    list_filter = ["status", "disputed", "provider", "currency"]
    list_select_related = ["customer__user"]
    search_fields = ["customer__user__email", "external_id", "charge_id"]
    date_hierarchy = "created_at"
    fields = ["customer", "subscription", "status", "amount_shown", "refunded", "refunded_at",
              "disputed", "period_start", "period_end", "paid_at", "attempts", "method",
              "provider", "external_id", "charge_id", "receipt_url", "created_at"]  # fmt: skip
    readonly_fields = ["amount_shown", "refunded"]
    actions = ["refund"]

    def get_urls(self):
        view = self.admin_site.admin_view(self.record_view)
        return [path("record/", view, name="billing_record_payment"), *super().get_urls()]

    @admin.display(description="Reader", ordering="customer__user__email")
    def reader(self, payment):
        return payment.customer.user.email

    @admin.action(description="Refund selected payments…", permissions=["change"])
    def refund(self, request, queryset):
        payments = list(queryset.select_related("customer__user"))
        if "confirm" not in request.POST:
            return TemplateResponse(
                request,
                "admin/billing/payment/refund.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Refund payments",
                    "opts": self.model._meta,
                    "payments": [(p, why_not_refundable(p)) for p in payments],
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        done = 0
        for payment in payments:
            why = why_not_refundable(payment)
            try:
                if why is None:
                    refund(payment)
                    done += 1
            except ProviderError as error:
                why = str(error)
            if why:
                self.message_user(request, f"{payment} not refunded: {why}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} payment(s) refunded.", messages.SUCCESS)
        return None

    def record_view(self, request):
        if not request.user.has_perm(RECORD_PERMISSION):
            raise PermissionDenied("Recording payments needs the permission to add them.")
        form = RecordPaymentForm(
            request.POST if request.method == "POST" else None,
            initial={"paid_on": timezone.localdate()},
        )
        if form.is_valid():
            data = form.cleaned_data
            paid = record_manual_payment(
                user=form.reader, price=data["price"], paid_at=form.paid_at(), method=data["method"]
            )
            until = paid.entitlement.ends_at if paid.entitlement else paid.current_period_end
            self.message_user(
                request,
                f"Recorded {data['price'].amount_text} from {form.reader.email} "
                f"({data['method']}): they read {data['price'].plan.name} until "
                f"{revenue.day(until)}.",
                messages.SUCCESS,
            )
            return redirect("admin:billing_paidsubscription_change", paid.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Record a payment by cheque or phone",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/billing/record_payment.html", context)

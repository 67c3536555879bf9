"""The forms of billing: why a reader cancels, a gift, a gift code."""

from django import forms
from django.utils import timezone

from billing import gifts
from billing.models import Interval, Price

REASONS = [
    ("", "Prefer not to say"),
    ("Too expensive", "It costs too much"),
    ("Not reading enough", "I do not read it enough"),
    ("Content", "The articles are not for me"),
    ("Print", "I would rather read it in print"),
    ("Other", "Something else"),
]


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label="Why are you leaving?", choices=REASONS, required=False)
    detail = forms.CharField(
        label="Anything you would like to tell us (optional)",
        required=False,
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def reason_text(self):
        parts = [self.cleaned_data.get("reason", ""), self.cleaned_data.get("detail", "")]
        return ": ".join(part.strip() for part in parts if part and part.strip())


class GiftPriceChoice(forms.ModelChoiceField):
    def label_from_instance(self, price):
        return f"{price.plan.name} — a year for {price.label.removesuffix(' a year')}"


class GiftForm(forms.Form):
    price = GiftPriceChoice(
        label="The gift",
        queryset=Price.objects.offered().filter(interval=Interval.YEAR).select_related("plan"),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    recipient_email = forms.EmailField(label="Their email address")
    recipient_name = forms.CharField(label="Their name", max_length=80, required=False)
    message = forms.CharField(
        label="Your message (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    deliver_on = forms.DateField(
        label="Send it on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="We email them that morning, with your message and their code.",
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["deliver_on"].initial = self.today
        self.fields["deliver_on"].widget.attrs.update(
            min=self.today.isoformat(), max=gifts.max_delivery_date(self.today).isoformat()
        )

    def clean_deliver_on(self):
        day = self.cleaned_data["deliver_on"]
        if day < self.today:
            raise forms.ValidationError("That day has passed: choose today or a later day.")
        if day > gifts.max_delivery_date(self.today):
            raise forms.ValidationError("Choose a day within the next year.")
        return day

    def clean_recipient_name(self):
        return " ".join(self.cleaned_data["recipient_name"].split())


class RedeemForm(forms.Form):
    code = forms.CharField(
        label="Gift code",
        max_length=40,
        help_text="As in the email, like ABCD-EFGH-JKMN-PQRS. Upper or lower case, with or "
        "without the dashes.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self):
        if gifts.normalised(self.cleaned_data["code"]) is None:
            raise forms.ValidationError(
                "A gift code has 16 letters and digits, like ABCD-EFGH-JKMN-PQRS."
            )
        return self.cleaned_data["code"]

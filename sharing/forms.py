"""The share form: friends' addresses, who sends, an optional note, perhaps gift links."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_email
from django.template.defaultfilters import pluralize

from outbox.headers import LINE_BREAK

ADDRESS_SEPARATOR = re.compile(r"[,\s]+")


class SingleLineMixin:
    """Refuses line breaks, which in an email header would let the value forge headers."""

    default_error_messages = {"line_break": "Line breaks aren’t allowed here: use one line."}

    def to_python(self, value):
        if isinstance(value, str) and LINE_BREAK.search(value):
            raise ValidationError(self.error_messages["line_break"], code="line_break")
        return super().to_python(value)


class SingleLineCharField(SingleLineMixin, forms.CharField):
    pass


class SingleLineEmailField(SingleLineMixin, forms.EmailField):
    pass


class RecipientsField(SingleLineCharField):
    """Email addresses separated by commas, as a list without repeats."""

    widget = forms.EmailInput(attrs={"multiple": True, "autocomplete": "off"})
    max_recipients = 1  # the form sets the sender's own

    def to_python(self, value):
        unique = {}
        for address in ADDRESS_SEPARATOR.split(super().to_python(value)):
            if address:
                unique.setdefault(address.lower(), address)
        return list(unique.values())

    def validate(self, value):
        super().validate(value)
        errors = []
        for address in value:
            try:
                validate_email(address)
            except ValidationError:
                errors.append(
                    ValidationError(
                        "“%(address)s” is not a valid email address.",
                        code="invalid",
                        params={"address": address},
                    )
                )
        if len(value) > self.max_recipients:
            errors.append(
                ValidationError(
                    "You can send this to at most %(limit)s friend%(plural)s at once.",
                    code="too_many",
                    params={"limit": self.max_recipients, "plural": pluralize(self.max_recipients)},
                )
            )
        if errors:
            raise ValidationError(errors)


def gift_help(gifts_left):
    days = settings.SHARING_GIFT_DAYS
    if gifts_left == 0:
        return "You have given all your gifts this month; you get new ones on the 1st."
    return (
        f"{gifts_left} gift{pluralize(gifts_left)} left this month. Each friend gets a link "
        f"that opens the whole article for {days} day{pluralize(days)}, without an account."
    )


class ShareForm(forms.Form):
    to = RecipientsField(label="Your friend’s email address")
    sender_name = SingleLineCharField(label="Your name", max_length=80)
    sender_email = SingleLineEmailField(
        label="Your email address",
        disabled=True,
        help_text="Your account’s address: your friend’s reply will come to it.",
    )
    note = forms.CharField(
        label="A note to your friend (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    gift = forms.BooleanField(label="Include a gift link", required=False)
    # A honeypot: hidden from people, filled in by robots that fill in every field.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, max_recipients, sender_email=None, gifts_left=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A sender's address is one they have verified: their account's, never one typed here.
        # A visitor without an account (when allowed) gets no replies.
        if sender_email:
            self.fields["sender_email"].initial = sender_email
        else:
            del self.fields["sender_email"]
        to = self.fields["to"]
        to.max_recipients = max_recipients
        if max_recipients > 1:
            to.label = "Your friends’ email addresses"
            to.help_text = f"Up to {max_recipients} addresses, separated by commas."
        # The length limit is read per form, so that it follows the setting.
        note, limit = self.fields["note"], settings.SHARING_NOTE_MAX_LENGTH
        note.max_length = limit
        note.validators.append(MaxLengthValidator(limit))
        note.widget.attrs["maxlength"] = str(limit)
        note.help_text = f"Plain text, up to {limit} characters."
        self.gifts_left = gifts_left
        if gifts_left is None:
            del self.fields["gift"]
        else:
            self.fields["gift"].help_text = gift_help(gifts_left)
            self.fields["gift"].disabled = gifts_left == 0

    def clean_note(self):
        return "\n".join(self.cleaned_data["note"].splitlines())

    def clean(self):
        cleaned = super().clean()
        wanted = len(cleaned.get("to") or ())
        if cleaned.get("gift") and wanted > self.gifts_left:
            self.add_error(
                "gift",
                f"You have {self.gifts_left} gift{pluralize(self.gifts_left)} left this month: "
                "send to fewer friends, or untick this box.",
            )
        return cleaned

    @property
    def is_from_a_robot(self):
        return bool(self.cleaned_data.get("website"))

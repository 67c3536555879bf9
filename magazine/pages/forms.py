from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.renderers import TemplatesSetting

from magazine.navigation import publications_menu


class FormRenderer(TemplatesSetting):
    """Every form on the site, ours and allauth's, renders with templates/forms/: labels,
    help text tied to its field, errors next to what they are about."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


SEARCH_MAX_LENGTH = 200
SEARCH_FILTERS = ["publication", "section", "since", "until"]
# Dates a search may be narrowed to: wide enough for any archive, and safe to calculate with.
EARLIEST, LATEST = date(1800, 1, 1), date(2999, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d", attrs={"min": EARLIEST, "max": LATEST})


def date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput(),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
        error_messages={
            "invalid": "Enter a date like 2026-03-31.",
            "min_value": "Enter a date between 1800 and 2999.",
            "max_value": "Enter a date between 1800 and 2999.",
        },
    )


class SearchForm(forms.Form):
    """What to look for, and where. The choices come from the cached site menu: no queries.

    The section filter appears once a publication is chosen (or fixed by the page).
    """

    q = forms.CharField(
        label="Search for",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
        error_messages={
            "max_length": "Search for at most %(limit_value)d characters (this has %(show_value)d)."
        },
    )
    publication = forms.ChoiceField(label="Publication", required=False)
    section = forms.ChoiceField(label="Section", required=False)
    since = date_field("Published from")
    until = date_field("Published until")

    def __init__(self, data, *, publication=None):
        super().__init__(data)
        self.fixed_publication = publication
        menu = {entry["slug"]: entry for entry in publications_menu()}
        if publication:
            del self.fields["publication"]
        else:
            self.fields["publication"].choices = [
                ("", "All publications"),
                *[(slug, entry["name"]) for slug, entry in menu.items()],
            ]
        chosen = menu.get(publication or data.get("publication"))
        if chosen and chosen["sections"]:
            self.fields["section"].choices = [
                ("", "All sections"),
                *[(section["slug"], section["name"]) for section in chosen["sections"]],
            ]
        else:
            del self.fields["section"]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "Choose a date on or after the “from” date.")
        return cleaned

    def filters(self):
        """The filters, as keywords for `magazine.pages.search.search`."""
        chosen = {name: self.cleaned_data.get(name) for name in SEARCH_FILTERS}
        if self.fixed_publication:
            chosen["publication"] = self.fixed_publication
        return chosen

    def narrowed(self):
        """Whether the reader chose any filter (those of the page itself do not count)."""
        return any(self.cleaned_data.get(name) for name in SEARCH_FILTERS)

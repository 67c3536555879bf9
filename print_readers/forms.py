from django import forms

from magazine.models import Publication


class LinkForm(forms.Form):
    publication = forms.ModelChoiceField(
        queryset=Publication.objects.filter(print_issues_per_year__gt=0),
        empty_label="Choose the magazine",
        to_field_name="slug",
    )
    account_number = forms.CharField(
        max_length=60, help_text="On the mailing label, e.g. HA-100234."
    )
    postcode = forms.CharField(label="Postcode or ZIP code", max_length=20)

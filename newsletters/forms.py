"""The forms readers fill in: their newsletter choices, and an address typed into a signup box."""

from django import forms

from newsletters.models import Newsletter


class PreferencesForm(forms.Form):
    """One checkbox per newsletter (named `newsletters`, valued by slug), a cadence for each
    newsletter that offers one (`cadence-<slug>`), and the pause."""

    newsletters = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    pause = forms.BooleanField(required=False)

    def __init__(self, *args, newsletters, **kwargs):
        super().__init__(*args, **kwargs)
        self.all_newsletters = list(newsletters)
        self.fields["newsletters"].choices = [(n.slug, n.name) for n in self.all_newsletters]
        for newsletter in self.all_newsletters:
            if len(newsletter.cadences) > 1:
                self.fields[cadence_field(newsletter)] = forms.ChoiceField(
                    label=f"How often: {newsletter.name}",
                    choices=[(c.value, c.label) for c in newsletter.cadences],
                    required=False,
                )

    def chosen(self):
        """The chosen newsletters' ids, and {id: cadence} for those that offer a choice."""
        slugs = set(self.cleaned_data["newsletters"])
        chosen = {n.pk for n in self.all_newsletters if n.slug in slugs}
        cadences = {
            n.pk: self.cleaned_data.get(cadence_field(n)) or n.cadence for n in self.all_newsletters
        }
        return chosen, cadences


def cadence_field(newsletter):
    return f"cadence-{newsletter.slug}"


class SignupForm(forms.Form):
    """An address alone, for one or more of a publication's newsletters."""

    email = forms.EmailField(label="Your email address", max_length=254)
    newsletters = forms.ModelMultipleChoiceField(
        queryset=Newsletter.objects.all(),
        to_field_name="slug",
        error_messages={"required": "Choose at least one newsletter."},
    )
    # Left empty by people; filled in by the robots that fill in every field they find.
    website = forms.CharField(required=False)

    def is_robot(self):
        return bool(self.cleaned_data.get("website"))

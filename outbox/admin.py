"""Staff keep the suppression list: find an address on it by typing the whole address (rows hold
only its hash), add one by hand, and delete a row to let mail go to the address again."""

from django import forms
from django.contrib import admin

from outbox import suppression
from outbox.models import Suppression


class AddSuppressionForm(forms.ModelForm):
    email = forms.EmailField(
        label="Email address", help_text="Only a hash of it is kept, with a masked hint."
    )

    class Meta:
        model = Suppression
        fields = ["reason", "note"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        if suppression.is_suppressed(email):
            raise forms.ValidationError("This address is on the list already.")
        return email


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["hint", "reason", "source", "created_at"]
    list_filter = ["reason"]
    # The search box matches a typed address by its hash (get_search_results), never by text.
    search_fields = ["address_hash"]
    search_help_text = "Type the whole email address."
    date_hierarchy = "created_at"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AddSuppressionForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["email", "reason", "note"]
        return ["hint", "reason", "source", "created_at", "note"]

    def get_readonly_fields(self, request, obj=None):
        return ["hint", "source", "created_at"] if obj else []

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.of(suppression.hashes(search_term)), False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            added = suppression.suppress(
                form.cleaned_data["email"],
                obj.reason,
                source=f"staff: {request.user.get_username()}",
                note=obj.note,
            )
            obj.pk = added.pk
            obj.refresh_from_db()

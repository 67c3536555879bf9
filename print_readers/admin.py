"""Print subscribers in the admin: the fulfilment house's file uploaded, the records, and the
web accounts linked to them (which staff can unlink)."""

import io

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from magazine.models import Publication
from print_readers import linking
from print_readers.importing import ImportFileError, import_print_subscribers
from print_readers.models import PrintLink, PrintSubscriber


class ImportForm(forms.Form):
    publication = forms.ModelChoiceField(queryset=Publication.objects.all())
    file = forms.FileField(
        help_text="CSV with the header account_number,postcode,name,email,starts,expires,status."
    )


class LinkInline(admin.TabularInline):
    model = PrintLink
    fields = ["user", "created_at", "ended_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PrintSubscriber)
class PrintSubscriberAdmin(admin.ModelAdmin):
    list_display = ["account_number", "publication", "name", "status", "expires", "imported_at"]
    list_filter = ["publication", "status"]
    search_fields = ["account_number", "name", "email", "postcode"]
    # The fulfilment house's file is the truth: records change by importing it again (which
    # keeps linked access in step), never by hand.
    readonly_fields = [
        "publication", "account_number", "postcode", "name", "email", "starts", "expires",
        "status", "imported_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # records come from the file: "Import a file", not a form

    def has_delete_permission(self, request, obj=None):
        return False  # a record with links must lapse (by import), not vanish

    def may_import(self, request):
        return request.user.has_perm("print_readers.add_printsubscriber")

    def changelist_view(self, request, extra_context=None):
        extra_context = {"may_import": self.may_import(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    inlines = [LinkInline]
    change_list_template = "admin/print_readers/printsubscriber/change_list.html"

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload)
        return [path("import/", upload, name="print_readers_import"), *super().get_urls()]

    def upload(self, request):
        if not self.may_import(request):
            return redirect("admin:print_readers_printsubscriber_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")  # whole, before writing
                report = import_print_subscribers(
                    io.StringIO(text, newline=""), form.cleaned_data["publication"]
                )
            except (ImportFileError, UnicodeDecodeError) as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, f"Imported: {report.summary()}.")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import print subscribers",
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/print_readers/import.html", context)


@admin.register(PrintLink)
class PrintLinkAdmin(admin.ModelAdmin):
    list_display = ["user", "record", "created_at", "ended_at"]
    list_filter = ["record__publication", ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "record__publication"]
    search_fields = ["user__email", "record__account_number"]
    readonly_fields = ["record", "user", "subscription", "created_at", "ended_at"]
    actions = ["unlink"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # unlinked, not deleted: the record of who read on whose subscription

    @admin.action(description="Unlink the selected accounts (their access ends now)")
    def unlink(self, request, queryset):
        now, count = timezone.now(), 0
        for link in queryset.filter(ended_at__isnull=True).select_related("subscription"):
            linking.unlink(link, now)
            count += 1
        self.message_user(request, f"{count} link(s) ended.", messages.SUCCESS)

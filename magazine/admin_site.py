"""The site's admin: Django's, with two crashes on hostile input closed for every model admin
registered on it (ours and the apps' we use)."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import DateField, TimeField


class ReadableInitialData:
    """Values a link prefills an add form with (`?until=…`) are read by their field first: one
    it cannot read is left out, a date or time is given as one. Django passed the text on, and
    its date-and-time widget failed drawing it (a server error for a link)."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        readable = {}
        for name, value in initial.items():
            try:
                readable[name] = self._read(name, value)
            except ValidationError:
                continue
        return readable

    def _read(self, name, value):
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return value
        formfield = field.formfield() if hasattr(field, "formfield") else None
        if formfield is None:
            return value
        read = formfield.to_python(value)
        return read if isinstance(field, DateField | TimeField) else value


class AdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        readable = type(admin_class.__name__, (ReadableInitialData, admin_class), {})
        readable.__module__ = admin_class.__module__
        super().register(model_or_iterable, readable, **options)

    def admin_view(self, view, cacheable=False):
        """Django's, refusing an empty `_to_field` as it refuses a field it may not look up
        (400): Django itself took the empty name for a field's and failed with a server error."""
        wrapped = super().admin_view(view, cacheable)

        @wraps(wrapped)
        def guarded(request, *args, **kwargs):
            if "" in (request.GET.get(TO_FIELD_VAR), request.POST.get(TO_FIELD_VAR)):
                raise DisallowedModelAdminToField("An empty field name cannot be used.")
            return wrapped(request, *args, **kwargs)

        return guarded


class MagazineAdminConfig(AdminConfig):
    default_site = "magazine.admin_site.AdminSite"

"""The site's admin: Django's, with two crashes on hostile input closed for every model admin
registered on it (ours and the apps' we use)."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR
from django.core.exceptions import FieldDoesNotExist, ValidationError


class ReadableInitialData:
    """Values a link prefills an add form with (`?until=…`) that the field cannot read are left
    out: Django would fail drawing the form with them (a server error for a typo in a URL)."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        return {name: value for name, value in initial.items() if self._readable(name, value)}

    def _readable(self, name, value):
        try:
            formfield = self.model._meta.get_field(name).formfield()
        except (FieldDoesNotExist, AttributeError):
            return True
        try:
            formfield is None or formfield.to_python(value)
        except ValidationError:
            return False
        return True


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

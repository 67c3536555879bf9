from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every form on the site, ours and allauth's, renders with templates/forms/: labels,
    help text tied to its field, errors next to what they are about."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

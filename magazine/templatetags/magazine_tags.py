import json
import re

from django import template
from django.utils.safestring import mark_safe

from magazine.navigation import menu_entry
from magazine.site import absolute_url

register = template.Library()

PAGE_NUMBER = re.compile(r"[0-9]{1,9}")

# What must not appear raw inside <script>: the same escapes as Django's json_script.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """`data` as a JSON-LD <script> element, safe against </script> in any value."""
    text = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # escaped above


@register.filter
def iso(value):
    """A datetime for `datetime=` attributes: ISO 8601 to the second (HTML allows at most 3
    fractional digits)."""
    return value.replace(microsecond=0).isoformat() if value else ""


@register.simple_tag
def absolute(path):
    return absolute_url(path)


@register.simple_tag
def publication_sections(publication):
    """The publication's sections for its masthead, from the cached site menu."""
    entry = menu_entry(publication.slug)
    return entry["sections"] if entry else []


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address on the site's own host: the path, and the page number past page 1."""
    request = context["request"]
    page = request.GET.get("page", "")
    # ASCII digits only: "²".isdigit() is true, and int("²") fails.
    query = f"?page={int(page)}" if PAGE_NUMBER.fullmatch(page) and int(page) > 1 else ""
    return absolute_url(request.path + query)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL with ?page=`number`, keeping the other query parameters."""
    query = context["request"].GET.copy()
    if number == 1:
        query.pop("page", None)
    else:
        query["page"] = number
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else context["request"].path

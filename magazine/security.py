"""The Content-Security-Policy header, as django-csp builds it from `CONTENT_SECURITY_POLICY`,
but built once: the site's policy is the same for every response (no nonces, no per-view
changes), and building it afresh cost a tenth of a cached page."""

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# What a view may set on its response to change the policy (django-csp's decorators): such a
# response, or a report-only policy in the settings, is left to django-csp itself.
PER_RESPONSE = (
    "_csp_exempt", "_csp_config", "_csp_update", "_csp_replace",
    "_csp_exempt_ro", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
)  # fmt: skip


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    _built_from = None
    _policy = ""

    def process_request(self, request):
        """No nonce: the site uses none (and a page served from the cache could not carry one)."""

    def process_response(self, request, response):
        if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or any(
            hasattr(response, name) for name in PER_RESPONSE
        ):
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = self.policy()
        return response

    @classmethod
    def policy(cls):
        """The header's value, built again only when the setting is another (as in tests)."""
        configured = settings.CONTENT_SECURITY_POLICY
        if cls._built_from is not configured:
            cls._policy, cls._built_from = build_policy(), configured
        return cls._policy

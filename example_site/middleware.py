"""Middleware of the demo project."""

from csp.constants import SELF
from csp.middleware import CSPMiddleware
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy ``ADMIN_CONTENT_SECURITY_POLICY`` on the
    admin's URLs and ``CONTENT_SECURITY_POLICY`` everywhere else.

    A page previewed in the admin gets the public policy, so editors see what patients will
    see, except that the admin may show it in a frame. A view's own ``@csp_replace``,
    ``@csp_update`` or ``@csp_exempt`` still applies; ``@csp`` replaces either policy.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        admin = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY", None) or {}
        if request.path_info.startswith(tuple(admin.get("URL_PREFIXES", ()))):
            parts.config = dict(admin["DIRECTIVES"])
        elif getattr(request, "is_preview", False):
            # Wagtail renders a preview through the middleware as a request for the page's
            # own address; the admin's preview panel then frames it.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts

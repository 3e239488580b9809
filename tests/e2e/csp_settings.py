"""The browser tests' server settings, sending the demo project's production security headers
(Content-Security-Policy and Permissions-Policy) on every response."""

from example_site.settings import security_headers
from tests.e2e.settings import *  # noqa: F403

CONTENT_SECURITY_POLICY = security_headers.CONTENT_SECURITY_POLICY
ADMIN_CONTENT_SECURITY_POLICY = security_headers.ADMIN_CONTENT_SECURITY_POLICY
PERMISSIONS_POLICY = security_headers.PERMISSIONS_POLICY
MIDDLEWARE = security_headers.with_security_headers(MIDDLEWARE)  # noqa: F405
# As in the demo project: the admin loads nothing from another site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

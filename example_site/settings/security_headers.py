"""What browsers are told the demo's pages may do: Content-Security-Policy and Permissions-Policy.

``production.py`` sends them. Patients' pages get a strict policy: no inline script or style
and nothing from another site. That holds because the pages carry no inline script
(structured data is JSON, which browsers do not run) and no inline style: each clinic's brand
colour comes from its own small stylesheet, served by ``wagtail_spinecare.urls``. A nonce
would not do instead, because the page cache serves one rendering to every visitor.

The Wagtail admin gets a looser policy of its own. Wagtail 8's admin runs inline
``<script>`` elements: an inline panel (a page's sources, say) and date and time fields start
themselves from one, and choosers run the scripts in the HTML they load. A few styles are
inline too (an empty wagtail-modeladmin listing has a ``style`` attribute). It needs no
``eval``, and loads nothing from another site but Wagtail's check for new releases.
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE

#: Where the admin policy applies instead of the public one (Wagtail's admin, and Django's).
ADMIN_URL_PREFIXES = ("/admin/", "/django-admin/")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        # No one may frame a patient's page; the admin's preview of a page is the exception
        # (see example_site.middleware).
        "frame-ancestors": [NONE],
    },
}

ADMIN_CONTENT_SECURITY_POLICY = {
    "URL_PREFIXES": ADMIN_URL_PREFIXES,
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        # A data: image in the admin's stylesheet, and thumbnails of images being uploaded,
        # read from the editor's own disk as blob: URLs.
        "img-src": [SELF, "data:", "blob:"],
        # The dashboard tells administrators about new Wagtail releases (security fixes).
        "connect-src": [SELF, "https://releases.wagtail.org"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # The page editor shows its live preview in a frame of the admin.
        "frame-ancestors": [SELF],
    },
}

#: Browser features no page of a clinic needs: switched off for the page and for anything it
#: might frame, so neither a page nor a compromised dependency can ask a patient for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

SECURITY_HEADERS_MIDDLEWARE = [
    "example_site.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
]


def with_security_headers(middleware: list[str]) -> list[str]:
    """``middleware`` with the two above right after Django's SecurityMiddleware, so that
    every response gets the headers, pages served from the page cache included."""
    at = middleware.index("django.middleware.security.SecurityMiddleware") + 1
    return [*middleware[:at], *SECURITY_HEADERS_MIDDLEWARE, *middleware[at:]]

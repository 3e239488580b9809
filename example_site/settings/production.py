"""Production settings: everything secret or site-specific comes from the environment."""

import os

import dj_database_url

from . import security_headers
from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host]

DATABASES = {"default": dj_database_url.config(conn_max_age=600, conn_health_checks=True)}

# Content-Security-Policy and Permissions-Policy on every response: see security_headers.py.
CONTENT_SECURITY_POLICY = security_headers.CONTENT_SECURITY_POLICY
ADMIN_CONTENT_SECURITY_POLICY = security_headers.ADMIN_CONTENT_SECURITY_POLICY
PERMISSIONS_POLICY = security_headers.PERMISSIONS_POLICY
MIDDLEWARE = security_headers.with_security_headers(MIDDLEWARE)  # noqa: F405
# django-csp's app only adds checks of its settings.
INSTALLED_APPS = [*INSTALLED_APPS, "csp"]  # noqa: F405

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
    # Whole pages for anonymous visitors, answered before routing, and page bodies for
    # everyone else; publishing, settings, treatments and consent changes make every cached
    # entry stale at once.
    WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "600"))
    WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT
    # Right after SecurityMiddleware (its redirect to HTTPS still runs): cached pages are
    # answered before the other middleware run, with the headers they added to the page.
    MIDDLEWARE = [  # noqa: F405
        *MIDDLEWARE[:1],  # noqa: F405
        "wagtail_spinecare.middleware.PageCacheMiddleware",
        *MIDDLEWARE[1:],  # noqa: F405
    ]

STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() == "true"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "")

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "django-insecure-demo-only-never-use-in-production"  # noqa: S105
# The demo clinics live on *.localhost names, which browsers resolve to this machine.
ALLOWED_HOSTS = ["localhost", "127.0.0.1", ".localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

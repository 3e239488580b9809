import os

from django.core.wsgi import get_wsgi_application

from wagtail_spinecare.wsgi import with_page_cache

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings.dev")

# Cached pages are answered before Django handles the request, when the page cache is on
# (production, with REDIS_URL set); otherwise every request goes straight to Django.
application = with_page_cache(get_wsgi_application())
